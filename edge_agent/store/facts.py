"""The device's own rows of what happened: dose events, alerts, symptoms, spoken exchanges and
questions. Each writer runs in the caller's open transaction (`Store.transaction()`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

from sqlite_utils import Database

from edge_agent.store.codec import from_text, to_text
from shared.messages import (
    AlertBody,
    DoseEventBody,
    InteractionBody,
    MedQuestionBody,
    SymptomBody,
)


@dataclass(frozen=True)
class AsNeededDose:
    """An as-needed dose taken: which medication, and when."""

    medication_name: str
    taken_at: datetime


def has_dose_event(db: Database, occurrence_id: UUID) -> bool:
    """Whether a decision for this occurrence is recorded already."""
    row = db.execute(
        "SELECT 1 FROM dose_events WHERE occurrence_id = ?", [str(occurrence_id)]
    ).fetchone()
    return row is not None


def insert_dose_event(db: Database, body: DoseEventBody, message_id: UUID) -> None:
    """Keep a dose event beside the outbox message `message_id` that reports it."""
    db.execute(
        "INSERT INTO dose_events (occurrence_id, item_id, medication_name, local_date, status, "
        "source, decided_at, as_needed, skip_reason, message_id) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            str(body.occurrence_id),
            str(body.item_id),
            body.medication_name,
            body.local_date.isoformat(),
            body.status.value,
            body.source.value,
            to_text(body.decided_at),
            int(body.as_needed),
            body.skip_reason,
            str(message_id),
        ],
    )


def as_needed_count(db: Database, item_id: UUID, local_date: date) -> int:
    """How many as-needed doses of an item were taken on a local date."""
    row = db.execute(
        "SELECT count(*) FROM dose_events WHERE item_id = ? AND as_needed = 1 AND local_date = ?",
        [str(item_id), local_date.isoformat()],
    ).fetchone()
    return int(row[0])


def as_needed_taken_on(db: Database, local_date: date) -> list[AsNeededDose]:
    """Every as-needed dose taken on a local date, in the order taken."""
    rows = db.query(
        "SELECT medication_name, decided_at FROM dose_events "
        "WHERE as_needed = 1 AND local_date = ? ORDER BY decided_at",
        [local_date.isoformat()],
    )
    return [AsNeededDose(row["medication_name"], from_text(row["decided_at"])) for row in rows]


def insert_alert(db: Database, body: AlertBody) -> None:
    db.execute(
        "INSERT INTO alerts (alert_id, alert_type, level, raised_at, body) VALUES (?, ?, ?, ?, ?)",
        [
            str(body.alert_id),
            body.alert_type.value,
            body.level.value,
            to_text(body.raised_at),
            body.model_dump_json(),
        ],
    )


def insert_symptom(db: Database, body: SymptomBody) -> None:
    db.execute(
        "INSERT INTO symptoms (symptom_id, reported_at, symptom, severity, body) "
        "VALUES (?, ?, ?, ?, ?)",
        [
            str(body.symptom_id),
            to_text(body.reported_at),
            body.symptom,
            body.severity.value if body.severity else None,
            body.model_dump_json(),
        ],
    )


def save_interaction(db: Database, body: InteractionBody) -> None:
    """Keep a spoken exchange (the table keeps the latest one of each conversation)."""
    db.execute(
        "INSERT OR REPLACE INTO interactions (conversation_id, started_at, intent, body) "
        "VALUES (?, ?, ?, ?)",
        [
            str(body.conversation_id),
            to_text(body.started_at),
            body.intent.value,
            body.model_dump_json(),
        ],
    )


def insert_question(db: Database, body: MedQuestionBody) -> None:
    db.execute(
        "INSERT INTO med_questions (question_id, asked_at, body) VALUES (?, ?, ?)",
        [str(body.question_id), to_text(body.asked_at), body.model_dump_json()],
    )
