"""Expanding plans into stored dose occurrences, with the same shared function the device uses.

Occurrence ids are derived from item and slot, so the cloud and the device agree without
talking, and expanding a range twice changes nothing. When a new plan version becomes current,
the patient's future occurrences that are still pending are brought in line with it: those the
new version still has take its windows and version, those it dropped are removed. Decided or
past occurrences are history and never change.

The rolling horizon: every current version is kept expanded through today + `HORIZON_DAYS` in
its zone (saving a version expands it that far; the `horizon` job extends every version whose
watermark `expanded_through` fell behind), so the cloud expects every dose of an unchanged plan
month after month, also from a device that went silent. Expansion (end dates, every-n-days,
weekdays, DST) is `shared.schedule.expand_plan`'s, date by local date.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session, selectinload

from cloud.doses.models import DoseOccurrence
from cloud.plans.models import MedicationPlan
from cloud.plans.wire import to_contract
from shared.enums import DoseStatus
from shared.schedule import expand_plan

HORIZON_DAYS = 14

# Current versions whose watermark is behind their own local today + the horizon.
_BEHIND = text(
    """
SELECT id FROM medication_plans
WHERE is_current AND (expanded_through IS NULL
    OR expanded_through < (CAST(:now AS timestamptz) AT TIME ZONE timezone)::date + :days)
"""
)


class OccurrenceExpander:
    """Writes a plan version's occurrences for a range of local dates (caller commits)."""

    def __init__(self, db: Session) -> None:
        self.db = db

    def expand(self, plan: MedicationPlan, start: date, end: date) -> int:
        """Store the occurrences of `plan` on local dates `start`..`end`; rows written."""
        return self._write(_rows(plan, start, end))

    def _write(self, rows: list[dict[str, Any]]) -> int:
        if not rows:
            return 0
        insert = pg_insert(DoseOccurrence)
        # A pending occurrence the new version keeps follows the new version's windows.
        statement = insert.on_conflict_do_update(
            index_elements=["id"],
            set_={
                name: insert.excluded[name]
                for name in (
                    "plan_version_id",
                    "plan_version",
                    "medication_name",
                    "dose",
                    "unit",
                    "due_at",
                    "on_time_until",
                    "missed_after",
                )
            },
            where=DoseOccurrence.status == DoseStatus.PENDING,
        ).returning(DoseOccurrence.id)
        written = 0
        for first in range(0, len(rows), 1000):
            written += len(self.db.execute(statement, rows[first : first + 1000]).all())
        return written

    def refresh_upcoming(self, plan: MedicationPlan, *, now: datetime) -> int:
        """Make the patient's future pending occurrences those of `plan` (through today + the
        horizon); earlier ones are left to the version that was current when they were due."""
        today = now.astimezone(ZoneInfo(plan.timezone)).date()
        plan.expanded_through = today + timedelta(days=HORIZON_DAYS)
        # Doses due before the version was saved belong to the version that was current then.
        upcoming = [row for row in _rows(plan, today, plan.expanded_through) if row["due_at"] > now]
        count = self._write(upcoming)
        self.db.execute(
            delete(DoseOccurrence).where(
                DoseOccurrence.patient_id == plan.patient_id,
                DoseOccurrence.status == DoseStatus.PENDING,
                DoseOccurrence.as_needed.is_(False),
                DoseOccurrence.due_at > now,
                DoseOccurrence.plan_version_id != plan.id,
            )
        )
        return count

    def extend_horizon(self, now: datetime, days: int = HORIZON_DAYS) -> tuple[int, int]:
        """Expand every current version whose watermark is behind its local today + `days`,
        from the day after the watermark; (versions extended, occurrences written).

        One query finds nothing when nothing changed; a day's run writes each version's new
        day. A watermark left behind (the job did not run for days) is caught up from where it
        stopped, so a silent device's doses of those days are expected too.
        """
        ids = list(self.db.scalars(_BEHIND, {"now": now, "days": days}))
        if not ids:
            return 0, 0
        plans = self.db.scalars(
            select(MedicationPlan)
            .where(MedicationPlan.id.in_(ids))
            .options(selectinload(MedicationPlan.items))
        ).all()
        rows: list[dict[str, Any]] = []
        for plan in plans:
            through = now.astimezone(ZoneInfo(plan.timezone)).date() + timedelta(days=days)
            start = (
                plan.expanded_through + timedelta(days=1)
                if plan.expanded_through is not None
                else now.astimezone(ZoneInfo(plan.timezone)).date()
            )
            rows.extend(_rows(plan, start, through))
            plan.expanded_through = through
        written = self._write(rows)
        self.db.flush()
        return len(plans), written


def _rows(plan: MedicationPlan, start: date, end: date) -> list[dict[str, Any]]:
    """The occurrence rows of `plan` on local dates `start`..`end`."""
    rows: list[dict[str, Any]] = []
    if start > end:
        return rows
    occurrences = expand_plan(to_contract(plan), start, end)
    dose_by_item = {item.item_id: (item.dose, item.unit) for item in plan.items}
    for occ in occurrences:
        rows.append(
            {
                "id": occ.occurrence_id,
                "patient_id": plan.patient_id,
                "plan_version_id": plan.id,
                "plan_id": occ.plan_id,
                "plan_version": occ.plan_version,
                "item_id": occ.item_id,
                "medication_name": occ.medication_name,
                "dose": dose_by_item[occ.item_id][0],
                "unit": dose_by_item[occ.item_id][1],
                "local_date": occ.local_date,
                "slot": occ.slot,
                "due_at": occ.due_at,
                "on_time_until": occ.on_time_until,
                "missed_after": occ.missed_after,
                "status": DoseStatus.PENDING.value,
            }
        )
    return rows
