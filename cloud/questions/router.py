"""Medication questions a patient asked."""

from __future__ import annotations

from fastapi import APIRouter, Response

from cloud.api.pagination import Columns, Dates, Page, Paging, patient_list
from cloud.db.base import table_of
from cloud.deps import DbSession, VisiblePatient
from cloud.questions.models import MedicationQuestionLog
from cloud.questions.schemas import MedicationQuestionOut

router = APIRouter(prefix="/patients/{patient_id}", tags=["medication questions"])
_QUESTION = Columns(MedicationQuestionOut, table_of(MedicationQuestionLog))


@router.get("/medication-questions", response_model=Page[MedicationQuestionOut])
def list_questions(patient: VisiblePatient, db: DbSession, page: Paging, dates: Dates) -> Response:
    """Questions asked on the patient's local dates `from`..`to`, newest first."""
    return patient_list(
        db, _QUESTION, patient, page, dates, newest_first=MedicationQuestionLog.asked_at
    )
