"""The reminder state machine of every occurrence, driven by the clock and by the patient.

pending -> due (reminded) -> re-reminded every N minutes -> on_time / late (taken), snoozed
(bounded, reminded again when the snooze ends), skipped (with a reason) or missed (late window
closed: a MISSED dose event and a MISSED_DOSE alert go to the outbox). `tick()` brings every
occurrence to the state the wall clock says, from stored state alone, so a restart, a clock
jump forwards or backwards, or a second call never reminds twice or skips a reminder.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlite_utils import Database

from edge_agent import journal
from edge_agent.clock import Clock
from edge_agent.config import ReminderPolicy
from edge_agent.store import OccurrenceRecord, OccurrenceState, Store
from edge_agent.store import occurrences as occ
from shared.enums import AlertLevel, AlertType, DoseSource, DoseStatus
from shared.schedule import DoseOccurrence, classify_taken

State = OccurrenceState


@dataclass(frozen=True)
class TickResult:
    """What a tick changed: doses to announce (newly due or reminded again) and doses missed."""

    reminded: list[OccurrenceRecord]
    missed: list[OccurrenceRecord]


class ReminderEngine:
    """Applies clock events and patient answers to stored occurrences."""

    def __init__(self, store: Store, clock: Clock, policy: ReminderPolicy) -> None:
        self.store = store
        self.clock = clock
        self.policy = policy

    def tick(self) -> TickResult:
        """Mark missed doses, make due ones due, re-remind the ones whose interval passed."""
        now = self.clock.now()
        reminded: list[OccurrenceRecord] = []
        missed: list[OccurrenceRecord] = []
        with self.store.transaction() as db:
            for record in occ.missed_by(db, now):
                missed.append(self._miss(db, record, now))
            for record in occ.pending_due_by(db, now):
                reminded.append(
                    occ.transition(
                        db,
                        record,
                        State.DUE,
                        "due",
                        now,
                        reminders_sent=1,
                        next_remind_at=self._next_remind(record, now),
                    )
                )
            for record in occ.to_remind_by(db, now):
                event = "snooze_ended" if record.state is State.SNOOZED else "remind_again"
                reminded.append(
                    occ.transition(
                        db,
                        record,
                        State.DUE,
                        event,
                        now,
                        reminders_sent=record.reminders_sent + 1,
                        next_remind_at=self._next_remind(record, now),
                    )
                )
        return TickResult(reminded, missed)

    def next_deadline(self) -> datetime | None:
        """When the next tick has something to do."""
        with self.store.transaction() as db:
            return occ.next_deadline(db)

    def open_doses(self) -> list[OccurrenceRecord]:
        """Doses waiting for an answer now: reminded ones and pending ones in the early window."""
        now = self.clock.now()
        early = now + timedelta(minutes=self.policy.early_take_minutes)
        with self.store.transaction() as db:
            return occ.answerable(db, now, early)

    def reminded_doses(self) -> list[OccurrenceRecord]:
        """Doses reminded and not yet answered (due or snoozed)."""
        with self.store.transaction() as db:
            return occ.reminded(db)

    def take(self, records: list[OccurrenceRecord], source: DoseSource) -> list[OccurrenceRecord]:
        """Record these doses taken now (on time or late), each with its dose event."""
        now = self.clock.now()
        done = []
        with self.store.transaction() as db:
            for record in self._still_undecided(db, records):
                status = classify_taken(_as_occurrence(record), now)
                if status is DoseStatus.MISSED:
                    # The window closed a moment ago; the next tick records it as missed.
                    continue
                state = State(status.value)
                decided = occ.transition(
                    db, record, state, f"taken_{source.value}", now, decided_at=now, source=source
                )
                journal.record_decision(self.store, db, decided)
                done.append(decided)
        return done

    def skip(
        self, records: list[OccurrenceRecord], source: DoseSource, reason: str
    ) -> list[OccurrenceRecord]:
        """Record these doses skipped now, with the patient's reason."""
        now = self.clock.now()
        done = []
        with self.store.transaction() as db:
            for record in self._still_undecided(db, records):
                decided = occ.transition(
                    db,
                    record,
                    State.SKIPPED,
                    f"skipped_{source.value}",
                    now,
                    decided_at=now,
                    source=source,
                    skip_reason=reason[:200],
                )
                journal.record_decision(self.store, db, decided)
                done.append(decided)
        return done

    def snooze(self, records: list[OccurrenceRecord]) -> list[OccurrenceRecord]:
        """Snooze reminded doses that have snoozes left; return those snoozed."""
        now = self.clock.now()
        done = []
        with self.store.transaction() as db:
            for record in self._still_undecided(db, records):
                if not record.state.is_open or record.snoozes >= self.policy.max_snoozes:
                    continue
                until = min(
                    now + timedelta(minutes=self.policy.snooze_minutes), record.missed_after
                )
                done.append(
                    occ.transition(
                        db,
                        record,
                        State.SNOOZED,
                        "snoozed",
                        now,
                        snoozes=record.snoozes + 1,
                        next_remind_at=until,
                    )
                )
        return done

    def _next_remind(self, record: OccurrenceRecord, now: datetime) -> datetime:
        return min(now + timedelta(minutes=self.policy.remind_every_minutes), record.missed_after)

    def _miss(self, db: Database, record: OccurrenceRecord, now: datetime) -> OccurrenceRecord:
        decided = occ.transition(
            db,
            record,
            State.MISSED,
            "window_closed",
            now,
            decided_at=now,
            source=DoseSource.TIMEOUT,
        )
        journal.record_decision(self.store, db, decided)
        local = record.due_at.strftime("%H:%M UTC")
        journal.record_alert(
            self.store,
            db,
            AlertType.MISSED_DOSE,
            AlertLevel.WARNING,
            f"{record.medication_name} due at {record.local_time} local ({local}) was not taken.",
            at=now,
            occurrence_id=record.occurrence_id,
        )
        return decided

    def _still_undecided(
        self, db: Database, records: list[OccurrenceRecord]
    ) -> list[OccurrenceRecord]:
        # Re-read inside the transaction: another thread may have decided a dose meanwhile.
        fresh = [occ.get(db, record.occurrence_id) for record in records]
        return [r for r in fresh if r is not None and not r.state.is_final]


def _as_occurrence(record: OccurrenceRecord) -> DoseOccurrence:
    return DoseOccurrence(
        occurrence_id=record.occurrence_id,
        plan_id=record.plan_id,
        plan_version=record.plan_version,
        item_id=record.item_id,
        medication_name=record.medication_name,
        dose=record.dose,
        unit=record.unit,
        local_date=record.local_date,
        slot=record.slot,
        local_time=record.local_time,
        due_at=record.due_at,
        on_time_until=record.on_time_until,
        missed_after=record.missed_after,
    )
