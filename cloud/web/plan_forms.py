"""Plan editor forms: a posted form becomes the REST API's `PlanItemIn`, and a changed line
becomes a whole new `PlanVersionIn`, so the API's and `shared/`'s validation decides."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from starlette.datastructures import FormData

from cloud.plans.models import MedicationPlan, MedicationPlanItem
from cloud.plans.schemas import PlanItemIn, PlanVersionIn

_SEPARATORS = re.compile(r"[,;\s]+")
# The API's defaults for a line that does not say.
ON_TIME_MINUTES = PlanItemIn.model_fields["on_time_minutes"].default
LATE_WINDOW_MINUTES = PlanItemIn.model_fields["late_window_minutes"].default


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def _optional(form: FormData, name: str) -> str | None:
    return _text(form, name) or None


def item_from_form(form: FormData, item_id: uuid.UUID | None) -> PlanItemIn:
    """The posted line as the API's `PlanItemIn` (pydantic's ValidationError if it is wrong)."""
    as_needed = form.get("as_needed") == "on"
    fields: dict[str, Any] = {
        "item_id": item_id,
        "medication_name": _text(form, "medication_name"),
        "dose": _text(form, "dose"),
        "unit": _text(form, "unit"),
        "instructions": _text(form, "instructions"),
        "times_of_day": []
        if as_needed
        else [t for t in _SEPARATORS.split(_text(form, "times_of_day")) if t],
        "days_of_week": [day for day in form.getlist("days_of_week") if isinstance(day, str)],
        "every_n_days": _text(form, "every_n_days") or 1,
        "start_date": _text(form, "start_date"),
        "end_date": _optional(form, "end_date"),
        "as_needed": as_needed,
        "max_per_day": _optional(form, "max_per_day") if as_needed else None,
        "on_time_minutes": _text(form, "on_time_minutes") or ON_TIME_MINUTES,
        "late_window_minutes": _text(form, "late_window_minutes") or LATE_WINDOW_MINUTES,
    }
    return PlanItemIn.model_validate(fields)


def with_line(plan: MedicationPlan | None, line: PlanItemIn, note: str) -> PlanVersionIn:
    """The current plan with `line` replacing the line of the same id (which stays paused if
    it was: pausing and resuming are their own actions), or added."""
    items = [PlanItemIn.of_stored(item) for item in plan.items] if plan else []
    replaced = [
        line.model_copy(update={"paused": item.paused}) if item.item_id == line.item_id else item
        for item in items
    ]
    if line.item_id is None or all(item.item_id != line.item_id for item in items):
        replaced.append(line)
    return PlanVersionIn(items=replaced, note=note)


def stopped(plan: MedicationPlan, item_id: uuid.UUID, today: date) -> PlanVersionIn:
    """The current plan with one line ending today (it stays in the record, and is no longer
    reminded from tomorrow on)."""
    items = []
    for item in plan.items:
        line = PlanItemIn.of_stored(item)
        if item.item_id == item_id:
            line = line.model_copy(update={"end_date": max(today, item.start_date)})
        items.append(line)
    return PlanVersionIn(items=items, note="stopped")


def paused(plan: MedicationPlan, item_id: uuid.UUID, pause: bool) -> PlanVersionIn:
    """The current plan with one line paused (no doses from now on: not reminded, not
    expected) or resumed (its doses are due again from now on)."""
    items = [PlanItemIn.of_stored(item) for item in plan.items]
    changed = [
        line.model_copy(update={"paused": pause}) if line.item_id == item_id else line
        for line in items
    ]
    name = next(line.medication_name for line in items if line.item_id == item_id)
    return PlanVersionIn(items=changed, note=f"{name} {'paused' if pause else 'resumed'}")


@dataclass(frozen=True)
class FormValues:
    """What a line's form fields show: a stored line, a new one, or what was just posted."""

    medication_name: str = ""
    dose: str = ""
    unit: str = "tablet"
    times_of_day: str = ""
    days_of_week: tuple[str, ...] = ()
    every_n_days: str = "1"
    as_needed: bool = False
    max_per_day: str = ""
    start_date: str = ""
    end_date: str = ""
    instructions: str = ""
    on_time_minutes: str = str(ON_TIME_MINUTES)
    late_window_minutes: str = str(LATE_WINDOW_MINUTES)


def stored_values(item: MedicationPlanItem) -> FormValues:
    """The fields of a stored line."""
    return FormValues(
        medication_name=item.medication_name,
        dose=f"{item.dose:g}",
        unit=item.unit,
        times_of_day=", ".join(item.times_of_day),
        days_of_week=tuple(item.days_of_week),
        every_n_days=str(item.every_n_days),
        as_needed=item.as_needed,
        max_per_day=str(item.max_per_day or ""),
        start_date=item.start_date.isoformat(),
        end_date=item.end_date.isoformat() if item.end_date else "",
        instructions=item.instructions,
        on_time_minutes=str(item.on_time_minutes),
        late_window_minutes=str(item.late_window_minutes),
    )


def posted_values(form: FormData) -> FormValues:
    """The fields as they were posted, to show them again next to what was wrong."""
    return FormValues(
        medication_name=_text(form, "medication_name"),
        dose=_text(form, "dose"),
        unit=_text(form, "unit"),
        times_of_day=_text(form, "times_of_day"),
        days_of_week=tuple(day for day in form.getlist("days_of_week") if isinstance(day, str)),
        every_n_days=_text(form, "every_n_days"),
        as_needed=form.get("as_needed") == "on",
        max_per_day=_text(form, "max_per_day"),
        start_date=_text(form, "start_date"),
        end_date=_text(form, "end_date"),
        instructions=_text(form, "instructions"),
        on_time_minutes=_text(form, "on_time_minutes"),
        late_window_minutes=_text(form, "late_window_minutes"),
    )
