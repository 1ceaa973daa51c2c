"""Dose occurrences on the device: their reminder state, and every transition, logged.

States: pending -> due -> (snoozed <-> due) -> on_time | late | skipped | missed. A state change
writes the new row and a `transitions` line in the caller's transaction.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from sqlite_utils import Database

from edge_agent.store.codec import from_text, to_text
from shared.enums import DoseSource, DoseStatus
from shared.schedule import DoseOccurrence

log = logging.getLogger(__name__)


class OccurrenceState(StrEnum):
    """Reminder state of one occurrence on the device."""

    PENDING = "pending"
    DUE = "due"
    SNOOZED = "snoozed"
    ON_TIME = "on_time"
    LATE = "late"
    SKIPPED = "skipped"
    MISSED = "missed"

    @property
    def is_open(self) -> bool:
        """Due or snoozed: reminded and waiting for an answer."""
        return self in (OccurrenceState.DUE, OccurrenceState.SNOOZED)

    @property
    def is_final(self) -> bool:
        return self in FINAL_STATES

    @property
    def dose_status(self) -> DoseStatus:
        return DoseStatus(self.value) if self.is_final else DoseStatus.PENDING


FINAL_STATES = frozenset(
    {OccurrenceState.ON_TIME, OccurrenceState.LATE, OccurrenceState.SKIPPED, OccurrenceState.MISSED}
)
# SQL conditions on `state`: reminded and waiting for an answer; not decided yet.
_OPEN = "state IN ('due', 'snoozed')"
_UNDECIDED = "state IN ('pending', 'due', 'snoozed')"


@dataclass(frozen=True)
class OccurrenceRecord:
    """One occurrence as the device stores it."""

    occurrence_id: UUID
    plan_id: UUID
    plan_version: int
    item_id: UUID
    medication_name: str
    dose: float
    unit: str
    local_date: date
    slot: str
    local_time: str
    due_at: datetime
    on_time_until: datetime
    missed_after: datetime
    state: OccurrenceState
    reminders_sent: int = 0
    snoozes: int = 0
    next_remind_at: datetime | None = None
    decided_at: datetime | None = None
    source: DoseSource | None = None
    skip_reason: str | None = None

    @property
    def label(self) -> str:
        """How the device names this dose aloud."""
        amount = f"{self.dose:g} {self.unit}"
        return f"{self.medication_name}, {amount}"

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> OccurrenceRecord:
        def moment(key: str) -> datetime | None:
            return from_text(row[key]) if row[key] else None

        return cls(
            occurrence_id=UUID(row["occurrence_id"]),
            plan_id=UUID(row["plan_id"]),
            plan_version=row["plan_version"],
            item_id=UUID(row["item_id"]),
            medication_name=row["medication_name"],
            dose=row["dose"],
            unit=row["unit"],
            local_date=date.fromisoformat(row["local_date"]),
            slot=row["slot"],
            local_time=row["local_time"],
            due_at=from_text(row["due_at"]),
            on_time_until=from_text(row["on_time_until"]),
            missed_after=from_text(row["missed_after"]),
            state=OccurrenceState(row["state"]),
            reminders_sent=row["reminders_sent"],
            snoozes=row["snoozes"],
            next_remind_at=moment("next_remind_at"),
            decided_at=moment("decided_at"),
            source=DoseSource(row["source"]) if row["source"] else None,
            skip_reason=row["skip_reason"],
        )


def insert_new(db: Database, occurrences: list[DoseOccurrence], after: datetime) -> int:
    """Store occurrences whose late window is open at `after`; existing ids stay as they are."""
    inserted = 0
    for occ in occurrences:
        if occ.missed_after <= after:
            continue
        cursor = db.execute(
            "INSERT OR IGNORE INTO occurrences (occurrence_id, plan_id, plan_version, item_id, "
            "medication_name, dose, unit, local_date, slot, local_time, due_at, on_time_until, "
            "missed_after, state, reminders_sent, snoozes) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', 0, 0)",
            [
                str(occ.occurrence_id),
                str(occ.plan_id),
                occ.plan_version,
                str(occ.item_id),
                occ.medication_name,
                occ.dose,
                occ.unit,
                occ.local_date.isoformat(),
                occ.slot,
                occ.local_time,
                to_text(occ.due_at),
                to_text(occ.on_time_until),
                to_text(occ.missed_after),
            ],
        )
        inserted += cursor.rowcount
    return inserted


def delete_future_pending(db: Database, after: datetime) -> int:
    """Drop occurrences not yet due and not yet touched (a new plan replaces them)."""
    cursor = db.execute(
        "DELETE FROM occurrences WHERE state = 'pending' AND due_at > ?", [to_text(after)]
    )
    return int(cursor.rowcount)


def select(db: Database, where: str, params: list[Any] | None = None) -> list[OccurrenceRecord]:
    """Occurrences matching a SQL condition, ordered by due time."""
    rows = db.query(
        f"SELECT * FROM occurrences WHERE {where} ORDER BY due_at, medication_name", params or []
    )
    return [OccurrenceRecord.from_row(row) for row in rows]


def missed_by(db: Database, at: datetime) -> list[OccurrenceRecord]:
    """Undecided doses whose late window closed by `at`."""
    return select(db, f"{_UNDECIDED} AND missed_after <= ?", [to_text(at)])


def pending_due_by(db: Database, at: datetime) -> list[OccurrenceRecord]:
    """Doses not yet reminded whose time came by `at`."""
    return select(db, "state = 'pending' AND due_at <= ?", [to_text(at)])


def pending_after(db: Database, at: datetime) -> list[OccurrenceRecord]:
    """Doses still to come after `at`."""
    return select(db, "state = 'pending' AND due_at > ?", [to_text(at)])


def to_remind_by(db: Database, at: datetime) -> list[OccurrenceRecord]:
    """Reminded doses (due or snoozed) whose next reminder is due by `at`."""
    return select(db, f"{_OPEN} AND next_remind_at <= ?", [to_text(at)])


def reminded(db: Database) -> list[OccurrenceRecord]:
    """Doses reminded and not yet answered (due or snoozed)."""
    return select(db, _OPEN)


def answerable(db: Database, now: datetime, early_until: datetime) -> list[OccurrenceRecord]:
    """Doses open at `now`: reminded ones, and pending ones due by `early_until`."""
    return select(
        db,
        f"({_OPEN} OR (state = 'pending' AND due_at <= ?)) AND missed_after > ?",
        [to_text(early_until), to_text(now)],
    )


def undecided_after(db: Database, at: datetime) -> list[OccurrenceRecord]:
    """Undecided doses whose late window is still open at `at`."""
    return select(db, f"{_UNDECIDED} AND missed_after > ?", [to_text(at)])


def on_date(db: Database, local_date: date) -> list[OccurrenceRecord]:
    """Every scheduled dose of a local date."""
    return select(db, "local_date = ?", [local_date.isoformat()])


def next_deadline(db: Database) -> datetime | None:
    """The earliest moment a dose becomes due, is reminded again or is missed."""
    row = db.execute(
        "SELECT min(t) FROM ("
        "SELECT min(due_at) AS t FROM occurrences WHERE state = 'pending' "
        f"UNION ALL SELECT min(next_remind_at) FROM occurrences WHERE {_OPEN} "
        f"UNION ALL SELECT min(missed_after) FROM occurrences WHERE {_UNDECIDED})"
    ).fetchone()
    return from_text(row[0]) if row and row[0] else None


def get(db: Database, occurrence_id: UUID) -> OccurrenceRecord | None:
    found = select(db, "occurrence_id = ?", [str(occurrence_id)])
    return found[0] if found else None


def transition(
    db: Database,
    record: OccurrenceRecord,
    to_state: OccurrenceState,
    event: str,
    at: datetime,
    **changes: Any,
) -> OccurrenceRecord:
    """Write `record` in its new state (plus `changes`) and log the transition."""
    updated = replace(record, state=to_state, **changes)
    db.execute(
        "UPDATE occurrences SET state = ?, reminders_sent = ?, snoozes = ?, next_remind_at = ?, "
        "decided_at = ?, source = ?, skip_reason = ? WHERE occurrence_id = ?",
        [
            updated.state.value,
            updated.reminders_sent,
            updated.snoozes,
            to_text(updated.next_remind_at) if updated.next_remind_at else None,
            to_text(updated.decided_at) if updated.decided_at else None,
            updated.source.value if updated.source else None,
            updated.skip_reason,
            str(updated.occurrence_id),
        ],
    )
    db.execute(
        "INSERT INTO transitions (occurrence_id, from_state, to_state, event, at) "
        "VALUES (?, ?, ?, ?, ?)",
        [str(record.occurrence_id), record.state.value, to_state.value, event, to_text(at)],
    )
    log.info(
        "occurrence %s (%s %s): %s -> %s on %s",
        record.occurrence_id,
        record.medication_name,
        record.slot,
        record.state.value,
        to_state.value,
        event,
    )
    return updated
