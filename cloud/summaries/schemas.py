"""API shapes of the stored adherence summaries."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict


class _Counts(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    patient_id: uuid.UUID
    scheduled: int
    on_time: int
    late: int
    missed: int
    skipped: int
    pending: int
    adherence_pct: float | None
    on_time_pct: float | None
    mean_minutes_late: float | None
    as_needed_doses: int
    symptoms: int
    alerts: int
    stale: bool
    computed_at: datetime


class DailySummaryOut(_Counts):
    """A patient's adherence on one local date."""

    summary_date: date


class WeeklySummaryOut(_Counts):
    """A patient's adherence over the week starting Monday `week_start`."""

    week_start: date
