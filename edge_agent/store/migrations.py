"""Versioned schema of the device database; `migrate()` brings any older file up to date.

The version lives in SQLite's `user_version`. Migrations only ever append: a device that
updates its software keeps its records and its unsent outbox.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlite_utils import Database


def _v1_initial(db: Database) -> None:
    db.table("meta").create({"key": str, "value": str}, pk="key")
    db.table("plans").create(
        {"plan_id": str, "version": int, "applied_at": str, "body": str},
        pk=("plan_id", "version"),
    )
    db.table("occurrences").create(
        {
            "occurrence_id": str,
            "plan_id": str,
            "plan_version": int,
            "item_id": str,
            "medication_name": str,
            "dose": float,
            "unit": str,
            "local_date": str,
            "slot": str,
            "local_time": str,
            "due_at": str,
            "on_time_until": str,
            "missed_after": str,
            "state": str,
            "reminders_sent": int,
            "snoozes": int,
            "next_remind_at": str,
            "decided_at": str,
            "source": str,
            "skip_reason": str,
        },
        pk="occurrence_id",
        not_null={"due_at", "state", "reminders_sent", "snoozes"},
    )
    db.table("occurrences").create_index(["state", "due_at"])
    db.table("dose_events").create(
        {
            "occurrence_id": str,
            "item_id": str,
            "medication_name": str,
            "local_date": str,
            "status": str,
            "source": str,
            "decided_at": str,
            "as_needed": int,
            "skip_reason": str,
            "message_id": str,
        },
        pk="occurrence_id",
    )
    db.table("dose_events").create_index(["item_id", "decided_at"])
    db.table("transitions").create(
        {
            "id": int,
            "occurrence_id": str,
            "from_state": str,
            "to_state": str,
            "event": str,
            "at": str,
        },
        pk="id",
    )
    db.table("transitions").create_index(["occurrence_id"])
    db.table("symptoms").create(
        {"symptom_id": str, "reported_at": str, "symptom": str, "severity": str, "body": str},
        pk="symptom_id",
    )
    db.table("alerts").create(
        {"alert_id": str, "alert_type": str, "level": str, "raised_at": str, "body": str},
        pk="alert_id",
    )
    db.table("interactions").create(
        {"conversation_id": str, "started_at": str, "intent": str, "body": str},
        pk="conversation_id",
    )
    db.table("med_questions").create(
        {"question_id": str, "asked_at": str, "body": str}, pk="question_id"
    )
    db.table("outbox").create(
        {
            "message_id": str,
            "seq": int,
            "kind": str,
            "topic": str,
            "payload": bytes,
            "created_at": str,
        },
        pk="message_id",
        not_null={"seq", "kind", "topic", "payload"},
    )
    db.table("outbox").create_index(["seq"], unique=True)


MIGRATIONS: tuple[Callable[[Database], None], ...] = (_v1_initial,)
SCHEMA_VERSION = len(MIGRATIONS)


def schema_version(db: Database) -> int:
    """The version the database file is at (0 for a new file)."""
    return int(db.execute("PRAGMA user_version").fetchone()[0])


def migrate(db: Database) -> int:
    """Apply the missing migrations, each in its own transaction; return the new version."""
    current = schema_version(db)
    if current > SCHEMA_VERSION:
        raise RuntimeError(
            f"database schema {current} is newer than this software understands ({SCHEMA_VERSION})"
        )
    for version in range(current + 1, SCHEMA_VERSION + 1):
        with db.atomic():
            MIGRATIONS[version - 1](db)
            db.execute(f"PRAGMA user_version = {version}")
    return SCHEMA_VERSION
