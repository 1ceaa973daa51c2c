"""API shapes of dose occurrences, dose events and adherence."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from shared.enums import DoseSource, DoseStatus


class DoseEventOut(BaseModel):
    """A decision about a dose, as reported by a device or made by a person."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    occurrence_id: uuid.UUID
    message_id: uuid.UUID | None
    status: DoseStatus
    source: DoseSource
    decided_at: datetime
    received_at: datetime
    as_needed: bool
    skip_reason: str | None
    reminders_sent: int
    snoozes: int
    device_pk: uuid.UUID | None
    recorded_by_user_id: uuid.UUID | None


class OccurrenceOut(BaseModel):
    """A scheduled (or as-needed) dose with its status and the event that decided it."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    plan_id: uuid.UUID
    plan_version: int
    item_id: uuid.UUID
    medication_name: str
    dose: float | None
    unit: str | None
    local_date: date
    slot: str
    due_at: datetime
    on_time_until: datetime
    missed_after: datetime
    as_needed: bool
    status: DoseStatus
    decided_at: datetime | None
    source: DoseSource | None
    decided_by: DoseEventOut | None = None


class DecisionIn(BaseModel):
    """A person records what happened to a dose (e.g. a caregiver saw it taken)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"status": "on_time", "note": "seen by the nurse"}]},
    )

    status: DoseStatus = Field(description="Anything but pending.")
    decided_at: datetime | None = Field(default=None, description="Defaults to now.")
    skip_reason: Annotated[str, Field(max_length=200)] | None = None


class DayAdherence(BaseModel):
    """One local date's figures, by the same rule as the range's."""

    local_date: date
    scheduled: int
    on_time: int
    late: int
    missed: int
    skipped: int
    pending: int
    as_needed_doses: int
    adherence_pct: float | None
    on_time_pct: float | None
    mean_minutes_late: float | None


class AdherenceOut(BaseModel):
    """Adherence over a range of local dates, computed live from the occurrences.

    A scheduled dose nobody decided by the end of its window counts as missed; `pending` holds
    only doses whose window is still open. Percentages are of the doses decided or whose window
    has closed (scheduled - pending); null when there is none (see `cloud/doses/adherence.py`).
    """

    patient_id: uuid.UUID
    start: date
    end: date
    scheduled: int
    on_time: int
    late: int
    missed: int
    skipped: int
    pending: int
    as_needed_doses: int
    adherence_pct: float | None
    on_time_pct: float | None
    mean_minutes_late: float | None
    days: list[DayAdherence]
