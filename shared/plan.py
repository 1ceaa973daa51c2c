"""Medication plans: what a patient takes, when, in their own IANA time zone.

A plan is a versioned snapshot. An edit makes a new version with the same `plan_id`; items keep
their `item_id` across versions while they describe the same medication line, so occurrence ids
(derived from item and slot) stay stable and the device can swap future occurrences cleanly.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any, Self
from uuid import UUID
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    field_validator,
    model_serializer,
    model_validator,
)

from shared.enums import Weekday

_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")

MAX_ITEMS_PER_PLAN = 64
MAX_TIMES_PER_DAY = 24

ShortText = Annotated[str, Field(min_length=1, max_length=120)]


class ContractModel(BaseModel):
    """Base of every contract model: unknown fields, loose types and non-finite numbers
    (`Infinity`, `NaN`, or a number too large for a double) are errors."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, allow_inf_nan=False)


class PlanItem(ContractModel):
    """One medication line of a plan and its timing."""

    item_id: UUID
    medication_id: UUID | None = None
    medication_name: ShortText
    dose: Annotated[float, Field(gt=0, le=100_000)]
    unit: Annotated[str, Field(min_length=1, max_length=24)]
    instructions: Annotated[str, Field(max_length=500)] = ""
    times_of_day: Annotated[list[str], Field(max_length=MAX_TIMES_PER_DAY)] = Field(
        default_factory=list, description='Local wall-clock times, "HH:MM", 24-hour.'
    )
    days_of_week: list[Weekday] = Field(
        default_factory=list, description="Days the item applies; empty means every day."
    )
    every_n_days: Annotated[int, Field(ge=1, le=366)] = 1
    start_date: date
    end_date: date | None = None
    as_needed: bool = False
    max_per_day: Annotated[int, Field(ge=1, le=48)] | None = None
    on_time_minutes: Annotated[int, Field(ge=0, le=24 * 60)] = 15
    late_window_minutes: Annotated[int, Field(ge=1, le=24 * 60)] = 120
    paused: bool = Field(
        default=False,
        description="Kept in the plan but not taken for now: no doses are due, reminded or "
        "expected, and an as-needed item cannot be taken, until a version resumes it.",
    )

    @model_serializer(mode="wrap")
    def _paused_only_when_set(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        # Sent only when true: receivers refuse unknown fields, so devices that predate it
        # keep accepting every plan that pauses nothing (docs/protocol.md, Versioning).
        data: dict[str, Any] = handler(self)
        if not self.paused:
            data.pop("paused", None)
        return data

    @field_validator("times_of_day")
    @classmethod
    def _times_are_hhmm(cls, value: list[str]) -> list[str]:
        for text in value:
            if not _HHMM.match(text):
                raise ValueError(f'time of day {text!r} must be "HH:MM" (24-hour)')
        if len(set(value)) != len(value):
            raise ValueError("times_of_day must not repeat a time")
        return sorted(value)

    @field_validator("days_of_week")
    @classmethod
    def _days_unique(cls, value: list[Weekday]) -> list[Weekday]:
        return sorted(set(value), key=lambda day: day.number)

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.end_date is not None and self.end_date < self.start_date:
            raise ValueError("end_date is before start_date")
        if self.as_needed and self.times_of_day:
            raise ValueError("an as-needed item has no times_of_day (it is never reminded)")
        if not self.as_needed and not self.times_of_day:
            raise ValueError("a scheduled item needs at least one time in times_of_day")
        if self.max_per_day is not None and not self.as_needed:
            raise ValueError("max_per_day applies to as-needed items only")
        if self.late_window_minutes < self.on_time_minutes:
            raise ValueError("late_window_minutes must be at least on_time_minutes")
        return self


class MedicationPlan(ContractModel):
    """A full, versioned plan snapshot for one patient."""

    plan_id: UUID
    patient_id: UUID
    version: Annotated[int, Field(ge=1)]
    timezone: Annotated[str, Field(min_length=1, max_length=64)]
    items: Annotated[list[PlanItem], Field(max_length=MAX_ITEMS_PER_PLAN)]
    issued_at: datetime | None = None

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown IANA time zone {value!r}") from None
        return value

    @model_validator(mode="after")
    def _unique_items(self) -> Self:
        ids = [item.item_id for item in self.items]
        if len(set(ids)) != len(ids):
            raise ValueError("item_id must be unique within a plan")
        return self

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def item(self, item_id: UUID) -> PlanItem:
        """The item with this id; KeyError if the plan has none."""
        for item in self.items:
            if item.item_id == item_id:
                return item
        raise KeyError(f"plan {self.plan_id} v{self.version} has no item {item_id}")
