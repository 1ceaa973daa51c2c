"""Symptoms a patient reported."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy import select

from cloud.api.pagination import Dates, Page, Paging, paginate, within
from cloud.deps import DbSession, VisiblePatient
from cloud.symptoms.models import SymptomLog
from cloud.symptoms.schemas import SymptomOut
from shared.enums import Severity

router = APIRouter(prefix="/patients/{patient_id}", tags=["symptoms"])


@router.get("/symptoms", response_model=Page[SymptomOut])
def list_symptoms(
    *,
    patient: VisiblePatient,
    db: DbSession,
    page: Paging,
    dates: Dates,
    severity: Annotated[Severity | None, Query(description="Only this severity.")] = None,
) -> Page[SymptomOut]:
    """Symptoms reported on the patient's local dates `from`..`to`, newest first."""
    statement = (
        select(SymptomLog)
        .where(SymptomLog.patient_id == patient.id)
        .order_by(SymptomLog.reported_at.desc(), SymptomLog.id)
    )
    statement = within(statement, SymptomLog.reported_at, dates, patient.timezone)
    if severity is not None:
        statement = statement.where(SymptomLog.severity == severity)
    return paginate(db, statement, page, SymptomOut.model_validate)
