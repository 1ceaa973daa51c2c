"""Expand a medication plan into dose occurrences, identically on the device and in the cloud.

Daylight-saving rule (one rule, both directions), for a dose written at local time T:

* Gap (T does not exist, e.g. 02:30 on a spring-forward day): the dose is due at T read with the
  offset in force *before* the gap, which is the same as moving it forward by the length of the
  gap (02:30 -> 03:30 in New York). It is never dropped.
* Repeat (T happens twice, e.g. 01:30 on a fall-back day): the dose is due once, at the *first*
  of the two instants (the one before the clocks go back). It is never doubled.

This is Python's `fold=0` reading of a wall time, and the same as RFC 5545 for recurring events.
The occurrence keeps its nominal slot (`local_date`, `slot`) and so its id; only the instant moves.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated
from uuid import UUID
from zoneinfo import ZoneInfo

from pydantic import Field

from shared.enums import DoseStatus
from shared.plan import ContractModel, MedicationPlan, PlanItem

OCCURRENCE_NAMESPACE = UUID("5f1b7f3e-6a53-4d33-9d0b-8f8b2b8d7c11")
MAX_EXPANSION_DAYS = 366 * 2


class DoseOccurrence(ContractModel):
    """One scheduled dose: a plan item at one local slot, with its instant and window."""

    occurrence_id: UUID
    plan_id: UUID
    plan_version: int
    item_id: UUID
    medication_name: str
    dose: float
    unit: str
    local_date: date
    slot: Annotated[str, Field(description='Nominal local time as written in the plan, "HH:MM".')]
    local_time: Annotated[
        str, Field(description='Wall-clock time the dose is due after the DST rule, "HH:MM".')
    ]
    due_at: datetime
    on_time_until: datetime
    missed_after: datetime


def occurrence_id(item_id: UUID, local_date: date, slot: str) -> UUID:
    """Deterministic id of the dose of `item_id` at local `slot` on `local_date`."""
    return uuid.uuid5(OCCURRENCE_NAMESPACE, f"{item_id}/{local_date.isoformat()}/{slot}")


def as_needed_occurrence_id(item_id: UUID, taken_at: datetime) -> UUID:
    """Id of the as-needed dose of `item_id` taken at `taken_at` (to the whole second, in UTC).

    Both sides derive it from the event itself, so the cloud can check it; two doses of one item
    taken within the same second are one dose.
    """
    instant = taken_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return uuid.uuid5(OCCURRENCE_NAMESPACE, f"{item_id}/as-needed/{instant}")


def resolve_local(local_date: date, slot: str, zone: ZoneInfo) -> datetime:
    """The UTC instant of a local wall time under the module's DST rule."""
    hour, minute = (int(part) for part in slot.split(":"))
    wall = datetime.combine(local_date, time(hour, minute), tzinfo=zone)
    # fold=0: gaps read with the pre-transition offset (moves forward), repeats take the first.
    return wall.replace(fold=0).astimezone(UTC)


def applies_on(item: PlanItem, day: date) -> bool:
    """Whether a scheduled item has doses on local `day` (a paused item has none)."""
    if item.as_needed or item.paused or day < item.start_date:
        return False
    if item.end_date is not None and day > item.end_date:
        return False
    if (day - item.start_date).days % item.every_n_days != 0:
        return False
    return not item.days_of_week or any(d.number == day.weekday() for d in item.days_of_week)


def _daterange(start: date, end: date) -> Iterator[date]:
    day = start
    while day <= end:
        yield day
        day += timedelta(days=1)


def expand_plan(plan: MedicationPlan, start: date, end: date) -> list[DoseOccurrence]:
    """All occurrences of `plan` on local dates `start`..`end` (inclusive), ordered by instant.

    As-needed items have no occurrences: they are taken on demand and never reminded. Paused
    items have none either, on any date: a version that pauses a line expects nothing of it.
    """
    if end < start:
        raise ValueError(f"range ends ({end}) before it starts ({start})")
    if (end - start).days >= MAX_EXPANSION_DAYS:
        raise ValueError(f"range of {(end - start).days + 1} days exceeds {MAX_EXPANSION_DAYS}")
    zone = plan.zone
    occurrences: list[DoseOccurrence] = []
    for item in plan.items:
        for day in _daterange(max(start, item.start_date), end):
            if not applies_on(item, day):
                continue
            for slot in item.times_of_day:
                due = resolve_local(day, slot, zone)
                occurrences.append(
                    DoseOccurrence(
                        occurrence_id=occurrence_id(item.item_id, day, slot),
                        plan_id=plan.plan_id,
                        plan_version=plan.version,
                        item_id=item.item_id,
                        medication_name=item.medication_name,
                        dose=item.dose,
                        unit=item.unit,
                        local_date=day,
                        slot=slot,
                        local_time=due.astimezone(zone).strftime("%H:%M"),
                        due_at=due,
                        on_time_until=due + timedelta(minutes=item.on_time_minutes),
                        missed_after=due + timedelta(minutes=item.late_window_minutes),
                    )
                )
    occurrences.sort(key=lambda occ: (occ.due_at, occ.medication_name, str(occ.occurrence_id)))
    return occurrences


def classify_taken(occurrence: DoseOccurrence, taken_at: datetime) -> DoseStatus:
    """Status of a dose taken at `taken_at`: on time, late, or missed past the late window.

    A dose taken before it is due counts as on time (the window only closes, it never opens late).
    """
    if taken_at <= occurrence.on_time_until:
        return DoseStatus.ON_TIME
    if taken_at <= occurrence.missed_after:
        return DoseStatus.LATE
    return DoseStatus.MISSED


def minutes_late(occurrence: DoseOccurrence, taken_at: datetime) -> float:
    """Minutes between due time and `taken_at` (0 if taken early or exactly on time)."""
    return max(0.0, (taken_at - occurrence.due_at).total_seconds() / 60.0)


def local_day_bounds(day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """UTC instants of the start of `day` and of the next day in `zone` (23, 24 or 25 h apart)."""
    start = datetime.combine(day, time(0, 0), tzinfo=zone).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(0, 0), tzinfo=zone).astimezone(UTC)
    return start, end
