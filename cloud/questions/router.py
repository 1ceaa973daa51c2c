"""Medication questions a patient asked."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import select

from cloud.api.pagination import Dates, Page, Paging, paginate, within
from cloud.deps import DbSession, VisiblePatient
from cloud.questions.models import MedicationQuestionLog
from cloud.questions.schemas import MedicationQuestionOut

router = APIRouter(prefix="/patients/{patient_id}", tags=["medication questions"])


@router.get("/medication-questions", response_model=Page[MedicationQuestionOut])
def list_questions(
    patient: VisiblePatient, db: DbSession, page: Paging, dates: Dates
) -> Page[MedicationQuestionOut]:
    """Questions asked on the patient's local dates `from`..`to`, newest first."""
    statement = (
        select(MedicationQuestionLog)
        .where(MedicationQuestionLog.patient_id == patient.id)
        .order_by(MedicationQuestionLog.asked_at.desc(), MedicationQuestionLog.id)
    )
    statement = within(statement, MedicationQuestionLog.asked_at, dates, patient.timezone)
    return paginate(db, statement, page, MedicationQuestionOut.model_validate)
