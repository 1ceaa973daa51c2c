"""Factories for contract objects (plans, items, envelopes) shared by every test package."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

from shared.enums import DoseSource, DoseStatus
from shared.messages import DoseEventBody
from shared.plan import MedicationPlan, PlanItem


def make_item(**overrides: Any) -> PlanItem:
    """A scheduled item (morning and evening) unless overridden."""
    fields: dict[str, Any] = {
        "item_id": uuid.uuid4(),
        "medication_name": "Metformin",
        "dose": 500.0,
        "unit": "mg",
        "instructions": "with food",
        "times_of_day": ["08:00", "20:00"],
        "start_date": date(2026, 1, 1),
    }
    fields.update(overrides)
    return PlanItem(**fields)


def make_plan(
    *items: PlanItem, timezone: str = "Europe/Berlin", version: int = 1, **overrides: Any
) -> MedicationPlan:
    """A plan with the given items (one default item if none)."""
    fields: dict[str, Any] = {
        "plan_id": uuid.uuid4(),
        "patient_id": uuid.uuid4(),
        "version": version,
        "timezone": timezone,
        "items": list(items) or [make_item()],
    }
    fields.update(overrides)
    return MedicationPlan(**fields)


def make_dose_event(**overrides: Any) -> DoseEventBody:
    """A dose taken on time by button press."""
    due = datetime(2026, 11, 20, 7, 0, tzinfo=UTC)
    fields: dict[str, Any] = {
        "occurrence_id": uuid.uuid4(),
        "plan_id": uuid.uuid4(),
        "plan_version": 1,
        "item_id": uuid.uuid4(),
        "medication_name": "Metformin",
        "local_date": date(2026, 11, 20),
        "slot": "08:00",
        "due_at": due,
        "status": DoseStatus.ON_TIME,
        "decided_at": due,
        "source": DoseSource.BUTTON,
    }
    fields.update(overrides)
    return DoseEventBody(**fields)
