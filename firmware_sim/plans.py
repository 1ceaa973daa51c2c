"""Example medication plans for simulated patients (console, demo, fleet)."""

from __future__ import annotations

import random
import uuid
from datetime import date
from typing import Any

from shared.plan import MedicationPlan, PlanItem

# (name, dose, unit, times of day) lines a typical older patient might have.
MEDICATION_LINES: tuple[tuple[str, float, str, tuple[str, ...]], ...] = (
    ("Metformin", 500, "mg", ("08:00", "20:00")),
    ("Lisinopril", 10, "mg", ("08:00",)),
    ("Atorvastatin", 20, "mg", ("21:00",)),
    ("Levothyroxine", 50, "mcg", ("07:00",)),
    ("Amlodipine", 5, "mg", ("09:00",)),
    ("Furosemide", 40, "mg", ("08:00", "14:00")),
    ("Warfarin", 3, "mg", ("18:00",)),
    ("Donepezil", 5, "mg", ("22:00",)),
)


def item(
    name: str, dose: float, unit: str, times: list[str], start: date, **extra: Any
) -> PlanItem:
    """One scheduled plan line starting on `start`."""
    return PlanItem(
        item_id=uuid.uuid4(),
        medication_name=name,
        dose=dose,
        unit=unit,
        times_of_day=times,
        start_date=start,
        **extra,
    )


def as_needed_item(name: str, dose: float, unit: str, max_per_day: int, start: date) -> PlanItem:
    """An as-needed line (taken on demand, never reminded)."""
    return PlanItem(
        item_id=uuid.uuid4(),
        medication_name=name,
        dose=dose,
        unit=unit,
        as_needed=True,
        max_per_day=max_per_day,
        start_date=start,
    )


def demo_plan(patient_id: uuid.UUID, timezone: str, start: date) -> MedicationPlan:
    """Morning, midday and evening doses plus a painkiller as needed."""
    return MedicationPlan(
        plan_id=uuid.uuid4(),
        patient_id=patient_id,
        version=1,
        timezone=timezone,
        items=[
            item("Metformin", 500, "mg", ["08:00", "20:00"], start),
            item("Lisinopril", 10, "mg", ["08:00"], start),
            item("Vitamin D", 1000, "IU", ["13:00"], start),
            as_needed_item("Paracetamol", 500, "mg", 4, start),
        ],
    )


def random_plan(
    rng: random.Random, patient_id: uuid.UUID, timezone: str, start: date
) -> MedicationPlan:
    """Two to four lines drawn from `MEDICATION_LINES` (a fleet's varied patients)."""
    lines = rng.sample(MEDICATION_LINES, rng.randint(2, 4))
    return MedicationPlan(
        plan_id=uuid.uuid4(),
        patient_id=patient_id,
        version=1,
        timezone=timezone,
        items=[item(name, dose, unit, list(times), start) for name, dose, unit, times in lines],
    )
