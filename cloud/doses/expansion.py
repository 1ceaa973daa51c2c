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

import uuid
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select, text
from sqlalchemy.orm import Session, selectinload

from cloud.doses.models import DoseOccurrence
from cloud.ingest.bulk import run_setwise
from cloud.plans.models import MedicationPlan
from cloud.plans.wire import to_contract
from shared.enums import DoseStatus
from shared.schedule import expand_plan

HORIZON_DAYS = 14

# Current versions whose watermark is behind their own local today + the horizon. Locked, so a
# version being replaced right now (its row is locked by the save) is left to that save.
_BEHIND = text(
    """
SELECT id FROM medication_plans
WHERE is_current AND (expanded_through IS NULL
    OR expanded_through < (CAST(:now AS timestamptz) AT TIME ZONE timezone)::date + :days)
FOR UPDATE SKIP LOCKED
"""
)


# The columns an expanded occurrence row sets, with their array types for `unnest`.
_COLUMNS = {
    "id": "uuid",
    "patient_id": "uuid",
    "plan_version_id": "uuid",
    "plan_id": "uuid",
    "plan_version": "int",
    "item_id": "uuid",
    "medication_name": "text",
    "dose": "float8",
    "unit": "text",
    "local_date": "date",
    "slot": "text",
    "due_at": "timestamptz",
    "on_time_until": "timestamptz",
    "missed_after": "timestamptz",
    "status": "text",
}
# A pending occurrence the new version keeps follows the new version's windows.
_FOLLOWS = (
    "plan_version_id",
    "plan_version",
    "medication_name",
    "dose",
    "unit",
    "due_at",
    "on_time_until",
    "missed_after",
)
_UPSERT = f"""
INSERT INTO dose_occurrences ({", ".join(_COLUMNS)})
SELECT * FROM unnest({", ".join(f"%b::{kind}[]" for kind in _COLUMNS.values())})
ON CONFLICT (id) DO UPDATE SET {", ".join(f"{name} = excluded.{name}" for name in _FOLLOWS)},
    updated_at = now()
WHERE dose_occurrences.status = 'pending'
RETURNING id
"""


_MOVE_WATERMARKS = """
UPDATE medication_plans AS mp SET expanded_through = w.through, updated_at = now()
FROM unnest(%b::uuid[], %b::date[]) AS w(id, through)
WHERE mp.id = w.id
"""


class OccurrenceExpander:
    """Writes a plan version's occurrences for a range of local dates (caller commits)."""

    def __init__(self, db: Session) -> None:
        self.db = db

    def expand(self, plan: MedicationPlan, start: date, end: date) -> int:
        """Store the occurrences of `plan` on local dates `start`..`end`; rows written."""
        return self._write(_rows(plan, start, end))

    def _write(self, rows: list[dict[str, Any]]) -> int:
        """Upsert occurrence rows in one statement over column arrays; rows written."""
        if not rows:
            return 0
        arrays = [[row[name] for row in rows] for name in _COLUMNS]
        return len(run_setwise(self.db, _UPSERT, arrays, returning=True))

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
        watermarks: dict[uuid.UUID, date] = {}
        for plan in plans:
            today = now.astimezone(ZoneInfo(plan.timezone)).date()
            start = plan.expanded_through + timedelta(days=1) if plan.expanded_through else today
            watermarks[plan.id] = today + timedelta(days=days)
            rows.extend(_rows(plan, start, watermarks[plan.id]))
        written = self._write(rows)
        run_setwise(self.db, _MOVE_WATERMARKS, [list(watermarks), list(watermarks.values())])
        self.db.expire_all()
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
