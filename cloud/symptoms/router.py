"""Symptoms a patient reported."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from cloud.api.pagination import Columns, Dates, Page, Paging, patient_list
from cloud.db.base import table_of
from cloud.deps import DbSession, VisiblePatient
from cloud.symptoms.models import SymptomLog
from cloud.symptoms.schemas import SymptomOut
from shared.enums import Severity

router = APIRouter(prefix="/patients/{patient_id}", tags=["symptoms"])
_SYMPTOM = Columns(SymptomOut, table_of(SymptomLog))


@router.get("/symptoms", response_model=Page[SymptomOut])
def list_symptoms(
    *,
    patient: VisiblePatient,
    db: DbSession,
    page: Paging,
    dates: Dates,
    severity: Annotated[Severity | None, Query(description="Only this severity.")] = None,
) -> Response:
    """Symptoms reported on the patient's local dates `from`..`to`, newest first."""
    return patient_list(
        db,
        _SYMPTOM,
        patient,
        page,
        dates,
        newest_first=SymptomLog.reported_at,
        only={SymptomLog.severity: severity},
    )
