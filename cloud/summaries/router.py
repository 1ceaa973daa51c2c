"""Stored daily and weekly adherence summaries (computed by the analytics jobs)."""

from __future__ import annotations

from fastapi import APIRouter, Response

from cloud.api.pagination import Columns, Dates, Page, Paging, patient_list
from cloud.db.base import table_of
from cloud.deps import ReadDbSession, VisiblePatient
from cloud.summaries.models import DailyPatientSummary, WeeklyPatientSummary
from cloud.summaries.schemas import DailySummaryOut, WeeklySummaryOut

router = APIRouter(prefix="/patients/{patient_id}/summaries", tags=["summaries"])
_DAILY = Columns(DailySummaryOut, table_of(DailyPatientSummary))
_WEEKLY = Columns(WeeklySummaryOut, table_of(WeeklyPatientSummary))


@router.get("/daily", response_model=Page[DailySummaryOut])
def daily_summaries(
    patient: VisiblePatient, db: ReadDbSession, page: Paging, dates: Dates
) -> Response:
    """Daily summaries for local dates `from`..`to`, newest first."""
    return patient_list(
        db, _DAILY, patient, page, dates, newest_first=DailyPatientSummary.summary_date
    )


@router.get("/weekly", response_model=Page[WeeklySummaryOut])
def weekly_summaries(
    patient: VisiblePatient, db: ReadDbSession, page: Paging, dates: Dates
) -> Response:
    """Weekly summaries of weeks starting within `from`..`to`, newest first."""
    return patient_list(
        db, _WEEKLY, patient, page, dates, newest_first=WeeklyPatientSummary.week_start
    )
