"""Writes a fact to its local table and the message reporting it to the outbox, in the caller's
open transaction (`Store.transaction()`), so neither exists without the other."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from uuid import UUID

from sqlite_utils import Database

from edge_agent.store import OccurrenceRecord, Store
from edge_agent.store.codec import to_text
from shared.enums import AlertLevel, AlertType, DoseSource, DoseStatus
from shared.messages import (
    AlertBody,
    DoseEventBody,
    InteractionBody,
    MedQuestionBody,
    SymptomBody,
)
from shared.plan import MedicationPlan, PlanItem


def record_decision(store: Store, db: Database, record: OccurrenceRecord) -> DoseEventBody:
    """A scheduled dose was decided: the dose event row and its outbox message."""
    assert record.decided_at is not None and record.source is not None
    body = DoseEventBody(
        occurrence_id=record.occurrence_id,
        plan_id=record.plan_id,
        plan_version=record.plan_version,
        item_id=record.item_id,
        medication_name=record.medication_name,
        local_date=record.local_date,
        slot=record.slot,
        due_at=record.due_at,
        status=record.state.dose_status,
        decided_at=record.decided_at,
        source=record.source,
        skip_reason=record.skip_reason,
        reminders_sent=record.reminders_sent,
        snoozes=record.snoozes,
    )
    _insert_dose_event(store, db, body)
    return body


def record_as_needed(
    store: Store,
    db: Database,
    plan: MedicationPlan,
    item: PlanItem,
    *,
    at: datetime,
    source: DoseSource,
) -> DoseEventBody:
    """An as-needed dose was taken: it gets a fresh occurrence id and is due when taken."""
    local = at.astimezone(plan.zone)
    body = DoseEventBody(
        occurrence_id=uuid.uuid4(),
        plan_id=plan.plan_id,
        plan_version=plan.version,
        item_id=item.item_id,
        medication_name=item.medication_name,
        local_date=local.date(),
        slot=local.strftime("%H:%M"),
        due_at=at,
        status=DoseStatus.ON_TIME,
        decided_at=at,
        source=source,
        as_needed=True,
    )
    _insert_dose_event(store, db, body)
    return body


def _insert_dose_event(store: Store, db: Database, body: DoseEventBody) -> None:
    envelope = store.enqueue(body)
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
            str(envelope.message_id),
        ],
    )


def as_needed_taken_on(db: Database, item_id: UUID, local_date: date) -> int:
    """How many as-needed doses of an item were taken on a local date."""
    row = db.execute(
        "SELECT count(*) FROM dose_events WHERE item_id = ? AND as_needed = 1 AND local_date = ?",
        [str(item_id), local_date.isoformat()],
    ).fetchone()
    return int(row[0])


def record_alert(
    store: Store,
    db: Database,
    alert_type: AlertType,
    level: AlertLevel,
    message: str,
    *,
    at: datetime,
    occurrence_id: UUID | None = None,
    conversation_id: UUID | None = None,
) -> AlertBody:
    """Raise an alert for a person: local row and outbox message."""
    body = AlertBody(
        alert_id=uuid.uuid4(),
        alert_type=alert_type,
        level=level,
        raised_at=at,
        message=message,
        occurrence_id=occurrence_id,
        conversation_id=conversation_id,
    )
    store.enqueue(body)
    db.execute(
        "INSERT INTO alerts (alert_id, alert_type, level, raised_at, body) VALUES (?, ?, ?, ?, ?)",
        [str(body.alert_id), alert_type.value, level.value, to_text(at), body.model_dump_json()],
    )
    return body


def record_symptom(store: Store, db: Database, body: SymptomBody) -> SymptomBody:
    """Log a reported symptom: local row and outbox message."""
    store.enqueue(body)
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
    return body


def record_interaction(store: Store, db: Database, body: InteractionBody) -> InteractionBody:
    """Keep one spoken exchange: local row and outbox message."""
    store.enqueue(body)
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
    return body


def record_question(store: Store, db: Database, body: MedQuestionBody) -> MedQuestionBody:
    """Keep a medication question and the device's answer: local row and outbox message."""
    store.enqueue(body)
    db.execute(
        "INSERT INTO med_questions (question_id, asked_at, body) VALUES (?, ?, ?)",
        [str(body.question_id), to_text(body.asked_at), body.model_dump_json()],
    )
    return body
