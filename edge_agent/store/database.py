"""The device database: one SQLite file in WAL mode, its transactions, meta values and outbox.

Every state change and the outbox row reporting it are written in one `transaction()`. The
outbox keeps each message, already serialised, until the cloud's ack names its id.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

from sqlite_utils import Database

from edge_agent.clock import Clock
from edge_agent.store import occurrences
from edge_agent.store.codec import from_text, to_text
from edge_agent.store.migrations import migrate
from shared.envelope import Envelope, make_envelope
from shared.messages import MessageBody, PlanAppliedBody
from shared.plan import MedicationPlan
from shared.schedule import expand_plan
from shared.topics import up_topic

log = logging.getLogger(__name__)

OutboxListener = Callable[[], None]


@dataclass(frozen=True)
class OutboxMessage:
    """One unacknowledged message, ready to publish as is."""

    message_id: str
    seq: int
    kind: str
    topic: str
    payload: bytes


class Store:
    """The device's SQLite store. Safe to share between the agent and the sync thread."""

    def __init__(
        self,
        path: Path | str,
        *,
        device_id: str,
        clock: Clock,
        horizon_days: int = 7,
        clock_synced: Callable[[], bool] = lambda: True,
    ) -> None:
        self.device_id = device_id
        self.clock = clock
        self.horizon_days = horizon_days
        self._clock_synced = clock_synced
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        # One connection, guarded by our own lock: the sync thread and the agent share it.
        conn = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self.db = Database(conn)
        self.db.enable_wal()
        self.db.execute("PRAGMA synchronous = FULL")
        self.db.execute("PRAGMA busy_timeout = 5000")
        self._lock = threading.RLock()
        self._depth = 0
        self._enqueued = False
        self._listeners: list[OutboxListener] = []
        with self._lock:
            migrate(self.db)

    def close(self) -> None:
        with self._lock:
            self.db.close()

    @contextmanager
    def transaction(self) -> Iterator[Database]:
        """One SQLite transaction (nested calls join it); outbox listeners run after commit."""
        notify = False
        with self._lock:
            self._depth += 1
            try:
                with self.db.atomic():
                    yield self.db
            finally:
                self._depth -= 1
                if self._depth == 0:
                    notify, self._enqueued = self._enqueued, False
        if notify:
            for listener in list(self._listeners):
                try:
                    listener()
                except Exception:
                    log.exception("outbox listener failed")

    def add_outbox_listener(self, listener: OutboxListener) -> None:
        """Call `listener` (on the committing thread) after a transaction adds to the outbox."""
        self._listeners.append(listener)

    def query(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[dict[str, Any]]:
        """Rows of a read-only query as dicts."""
        with self._lock:
            return list(self.db.query(sql, params))

    def get_meta(self, key: str) -> str | None:
        rows = self.query("SELECT value FROM meta WHERE key = ?", [key])
        return rows[0]["value"] if rows else None

    def set_meta(self, key: str, value: str) -> None:
        with self.transaction() as db:
            self._set_meta(db, key, value)

    @staticmethod
    def _set_meta(db: Database, key: str, value: str) -> None:
        db.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            [key, value],
        )

    def _meta_time(self, key: str) -> datetime | None:
        text = self.get_meta(key)
        return from_text(text) if text else None

    def last_ack_at(self) -> datetime | None:
        """When the cloud last acknowledged something."""
        return self._meta_time("last_ack_at")

    def last_sync_at(self) -> datetime | None:
        """When an ack last emptied the outbox (the cloud had everything the device made)."""
        return self._meta_time("last_sync_at")

    def enqueue(self, body: MessageBody) -> Envelope[Any]:
        """Add `body` to the outbox in an envelope with the next sequence number."""
        with self.transaction() as db:
            row = db.execute("SELECT value FROM meta WHERE key = 'next_seq'").fetchone()
            seq = int(row[0]) if row else 0
            self._set_meta(db, "next_seq", str(seq + 1))
            now = self.clock.now()
            envelope = make_envelope(
                self.device_id, seq, body, sent_at=now, clock_synced=self._clock_synced()
            )
            db.execute(
                "INSERT INTO outbox (message_id, seq, kind, topic, payload, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [
                    str(envelope.message_id),
                    seq,
                    body.KIND.value,
                    up_topic(self.device_id, body.KIND),
                    envelope.to_json(),
                    to_text(now),
                ],
            )
            self._enqueued = True
        return envelope

    def outbox_batch(self, limit: int) -> list[OutboxMessage]:
        """The oldest `limit` unacknowledged messages, in sequence order."""
        rows = self.query(
            "SELECT message_id, seq, kind, topic, payload FROM outbox ORDER BY seq LIMIT ?",
            [limit],
        )
        return [
            OutboxMessage(r["message_id"], r["seq"], r["kind"], r["topic"], bytes(r["payload"]))
            for r in rows
        ]

    def delete_acked(self, message_ids: Iterable[str | UUID]) -> int:
        """Drop acknowledged messages; return how many were still in the outbox.

        An ack that empties the outbox is a sync: the cloud has everything the device made.
        """
        ids = [str(message_id) for message_id in message_ids]
        if not ids:
            return 0
        with self.transaction() as db:
            marks = ",".join("?" * len(ids))
            deleted = db.execute(f"DELETE FROM outbox WHERE message_id IN ({marks})", ids).rowcount
            now = to_text(self.clock.now())
            self._set_meta(db, "last_ack_at", now)
            if db.execute("SELECT NOT EXISTS (SELECT 1 FROM outbox)").fetchone()[0]:
                self._set_meta(db, "last_sync_at", now)
        return int(deleted)

    def message_counts(self) -> tuple[int, int]:
        """(messages made, messages waiting for an ack), read together in one statement."""
        row = self.query(
            "SELECT (SELECT value FROM meta WHERE key = 'next_seq') AS made, "
            "(SELECT count(*) FROM outbox) AS waiting"
        )[0]
        return int(row["made"] or 0), int(row["waiting"])

    def outbox_depth(self) -> int:
        """How many messages wait for an ack."""
        return int(self.query("SELECT count(*) AS n FROM outbox")[0]["n"])

    def current_plan(self) -> MedicationPlan | None:
        """The plan the device runs (the last one applied)."""
        rows = self.query("SELECT body FROM plans ORDER BY rowid DESC LIMIT 1")
        return MedicationPlan.model_validate_json(rows[0]["body"]) if rows else None

    def apply_plan(self, plan: MedicationPlan) -> bool:
        """Run `plan` if it is newer than the current one; return whether it was applied.

        Future undecided occurrences are swapped for the new plan's in one transaction with the
        PlanApplied message; past and decided occurrences stay as they are.
        """
        with self.transaction() as db:
            current = self.current_plan()
            if (
                current is not None
                and current.plan_id == plan.plan_id
                and plan.version <= current.version
            ):
                return False
            now = self.clock.now()
            occurrences.delete_future_pending(db, now)
            db.execute(
                "INSERT OR REPLACE INTO plans (plan_id, version, applied_at, body) "
                "VALUES (?, ?, ?, ?)",
                [str(plan.plan_id), plan.version, to_text(now), plan.model_dump_json()],
            )
            today = now.astimezone(plan.zone).date()
            end = today + timedelta(days=self.horizon_days)
            occurrences.insert_new(db, expand_plan(plan, today, end), now)
            self._set_meta(db, "horizon_end", end.isoformat())
            future = db.execute(
                "SELECT count(*) FROM occurrences WHERE state = 'pending' AND due_at > ?",
                [to_text(now)],
            ).fetchone()[0]
            self.enqueue(
                PlanAppliedBody(
                    plan_id=plan.plan_id,
                    version=plan.version,
                    applied_at=now,
                    future_occurrences=int(future),
                )
            )
        return True

    def horizon_end(self) -> date | None:
        """Last local date for which occurrences are stored."""
        text = self.get_meta("horizon_end")
        return date.fromisoformat(text) if text else None

    def extend_horizon(self) -> int:
        """Add occurrences up to today + horizon days (local); return how many were added."""
        with self.transaction() as db:
            plan = self.current_plan()
            if plan is None:
                return 0
            now = self.clock.now()
            today = now.astimezone(plan.zone).date()
            end = today + timedelta(days=self.horizon_days)
            stored = self.horizon_end()
            start = today if stored is None else max(today, stored + timedelta(days=1))
            if start > end:
                return 0
            added = occurrences.insert_new(db, expand_plan(plan, start, end), now)
            self._set_meta(db, "horizon_end", end.isoformat())
            return added
