"""Stored daily and weekly adherence summaries (computed by the analytics jobs)."""

from __future__ import annotations

from fastapi import APIRouter, Response
from sqlalchemy import select

from cloud.api.pagination import Dates, Page, Paging, model_response, paginate
from cloud.deps import DbSession, VisiblePatient
from cloud.summaries.models import DailyPatientSummary, WeeklyPatientSummary
from cloud.summaries.schemas import DailySummaryOut, WeeklySummaryOut

router = APIRouter(prefix="/patients/{patient_id}/summaries", tags=["summaries"])


@router.get("/daily", response_model=Page[DailySummaryOut])
def daily_summaries(patient: VisiblePatient, db: DbSession, page: Paging, dates: Dates) -> Response:
    """Daily summaries for local dates `from`..`to`, newest first."""
    statement = (
        select(DailyPatientSummary)
        .where(DailyPatientSummary.patient_id == patient.id)
        .order_by(DailyPatientSummary.summary_date.desc())
    )
    if dates.start is not None:
        statement = statement.where(DailyPatientSummary.summary_date >= dates.start)
    if dates.end is not None:
        statement = statement.where(DailyPatientSummary.summary_date <= dates.end)
    return model_response(paginate(db, statement, page, DailySummaryOut.model_validate))


@router.get("/weekly", response_model=Page[WeeklySummaryOut])
def weekly_summaries(
    patient: VisiblePatient, db: DbSession, page: Paging, dates: Dates
) -> Page[WeeklySummaryOut]:
    """Weekly summaries of weeks starting within `from`..`to`, newest first."""
    statement = (
        select(WeeklyPatientSummary)
        .where(WeeklyPatientSummary.patient_id == patient.id)
        .order_by(WeeklyPatientSummary.week_start.desc())
    )
    if dates.start is not None:
        statement = statement.where(WeeklyPatientSummary.week_start >= dates.start)
    if dates.end is not None:
        statement = statement.where(WeeklyPatientSummary.week_start <= dates.end)
    return paginate(db, statement, page, WeeklySummaryOut.model_validate)
