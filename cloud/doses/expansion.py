"""Expanding plans into stored dose occurrences, with the same shared function the device uses.

Occurrence ids are derived from item and slot, so the cloud and the device agree without
talking, and expanding a range twice changes nothing. When a new plan version becomes current,
the patient's future occurrences that are still pending are brought in line with it: those the
new version still has take its windows and version, those it dropped are removed. Decided or
past occurrences are history and never change.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from cloud.doses.models import DoseOccurrence
from cloud.plans.models import MedicationPlan
from cloud.plans.wire import to_contract
from shared.enums import DoseStatus
from shared.schedule import expand_plan

UPCOMING_DAYS = 14


class OccurrenceExpander:
    """Writes a plan version's occurrences for a range of local dates (caller commits)."""

    def __init__(self, db: Session) -> None:
        self.db = db

    def expand(self, plan: MedicationPlan, start: date, end: date) -> int:
        """Store the occurrences of `plan` on local dates `start`..`end`; rows written."""
        occurrences = expand_plan(to_contract(plan), start, end)
        if not occurrences:
            return 0
        rows: list[dict[str, Any]] = []
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

    def refresh_upcoming(self, plan: MedicationPlan, *, now: datetime | None = None) -> int:
        """Make the patient's future pending occurrences those of `plan` (today + 14 days)."""
        now = now or datetime.now(UTC)
        today = now.astimezone(ZoneInfo(plan.timezone)).date()
        count = self.expand(plan, today, today + timedelta(days=UPCOMING_DAYS))
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

    def expand_current_plans(self, start: date, end: date) -> int:
        """Expand every patient's current plan over `start`..`end` (for a daily job)."""
        plans = self.db.scalars(select(MedicationPlan).where(MedicationPlan.is_current.is_(True)))
        return sum(self.expand(plan, start, end) for plan in plans)
