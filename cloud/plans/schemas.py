"""API shapes of medication plans (input mirrors the shared contract's plan item)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from cloud.plans.models import MedicationPlanItem
from shared.enums import Weekday
from shared.plan import MAX_ITEMS_PER_PLAN, MAX_TIMES_PER_DAY

HHMM = Annotated[str, Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$", examples=["08:00"])]


class PlanItemIn(BaseModel):
    """One medication line; pass `item_id` of the current version to continue that line."""

    model_config = ConfigDict(extra="forbid")

    item_id: uuid.UUID | None = Field(
        default=None, description="Keep the id of an item of the current version to continue it."
    )
    medication_id: uuid.UUID | None = None
    medication_name: Annotated[str, Field(min_length=1, max_length=120, examples=["Metformin"])]
    dose: Annotated[float, Field(gt=0, le=100_000, examples=[500])]
    unit: Annotated[str, Field(min_length=1, max_length=24, examples=["mg"])]
    instructions: Annotated[str, Field(max_length=500)] = ""
    times_of_day: Annotated[list[HHMM], Field(max_length=MAX_TIMES_PER_DAY)] = Field(
        default_factory=list
    )
    days_of_week: Annotated[list[Weekday], Field(max_length=7)] = Field(default_factory=list)
    every_n_days: Annotated[int, Field(ge=1, le=366)] = 1
    start_date: date
    end_date: date | None = None
    as_needed: bool = False
    max_per_day: Annotated[int, Field(ge=1, le=48)] | None = None
    on_time_minutes: Annotated[int, Field(ge=0, le=24 * 60)] = 15
    late_window_minutes: Annotated[int, Field(ge=1, le=24 * 60)] = 120
    paused: bool = Field(
        default=False, description="Kept in the plan, but no doses are due until resumed."
    )

    @classmethod
    def of_stored(cls, item: MedicationPlanItem) -> PlanItemIn:
        """A stored line as it would be sent again unchanged (to continue it in a new version)."""
        return cls(
            item_id=item.item_id,
            medication_id=item.medication_id,
            medication_name=item.medication_name,
            dose=item.dose,
            unit=item.unit,
            instructions=item.instructions,
            times_of_day=list(item.times_of_day),
            days_of_week=[Weekday(day) for day in item.days_of_week],
            every_n_days=item.every_n_days,
            start_date=item.start_date,
            end_date=item.end_date,
            as_needed=item.as_needed,
            max_per_day=item.max_per_day,
            on_time_minutes=item.on_time_minutes,
            late_window_minutes=item.late_window_minutes,
            paused=item.paused,
        )


class PlanVersionIn(BaseModel):
    """A whole new plan version (plans are snapshots: send every item)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "timezone": "Europe/Berlin",
                    "note": "Metformin twice daily",
                    "items": [
                        {
                            "medication_name": "Metformin",
                            "dose": 500,
                            "unit": "mg",
                            "times_of_day": ["08:00", "20:00"],
                            "start_date": "2026-01-01",
                        }
                    ],
                }
            ]
        },
    )

    timezone: Annotated[str, Field(min_length=1, max_length=64)] | None = Field(
        default=None, description="IANA zone; the patient's zone if omitted."
    )
    note: Annotated[str, Field(max_length=500)] = ""
    items: Annotated[list[PlanItemIn], Field(max_length=MAX_ITEMS_PER_PLAN)]


class PlanItemOut(BaseModel):
    """A stored plan item."""

    model_config = ConfigDict(from_attributes=True)

    item_id: uuid.UUID
    medication_id: uuid.UUID | None
    medication_name: str
    dose: float
    unit: str
    instructions: str
    times_of_day: list[str]
    days_of_week: list[str]
    every_n_days: int
    start_date: date
    end_date: date | None
    as_needed: bool
    max_per_day: int | None
    on_time_minutes: int
    late_window_minutes: int
    paused: bool


class PlanOut(BaseModel):
    """A stored plan version."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    plan_id: uuid.UUID
    patient_id: uuid.UUID
    version: int
    timezone: str
    is_current: bool
    issued_at: datetime
    note: str
    items: list[PlanItemOut]
