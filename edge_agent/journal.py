"""Writes a fact to its local table and the message reporting it to the outbox, in the caller's
open transaction (`Store.transaction()`), so neither exists without the other."""

from __future__ import annotations

import uuid
from datetime import datetime
from uuid import UUID

from sqlite_utils import Database

from edge_agent.store import OccurrenceRecord, Store, facts
from shared.enums import AlertLevel, AlertType, DoseSource, DoseStatus
from shared.messages import (
    AlertBody,
    DoseEventBody,
    InteractionBody,
    MedQuestionBody,
    SymptomBody,
)
from shared.plan import MedicationPlan, PlanItem
from shared.schedule import as_needed_occurrence_id


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
    """An as-needed dose was taken: due when taken, its id derived from item and that moment."""
    local = at.astimezone(plan.zone)
    body = DoseEventBody(
        occurrence_id=as_needed_occurrence_id(item.item_id, at),
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
    # Two takes of one item within the same second are one dose (the shared id rule): a bounced
    # press or a repeated "yes" records it once.
    if not facts.has_dose_event(db, body.occurrence_id):
        _insert_dose_event(store, db, body)
    return body


def _insert_dose_event(store: Store, db: Database, body: DoseEventBody) -> None:
    envelope = store.enqueue(body)
    facts.insert_dose_event(db, body, envelope.message_id)


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
    facts.insert_alert(db, body)
    return body


def record_symptom(store: Store, db: Database, body: SymptomBody) -> SymptomBody:
    """Log a reported symptom: local row and outbox message."""
    store.enqueue(body)
    facts.insert_symptom(db, body)
    return body


def record_interaction(store: Store, db: Database, body: InteractionBody) -> InteractionBody:
    """Keep one spoken exchange: local row and outbox message."""
    store.enqueue(body)
    facts.save_interaction(db, body)
    return body


def record_question(store: Store, db: Database, body: MedQuestionBody) -> MedQuestionBody:
    """Keep a medication question and the device's answer: local row and outbox message."""
    store.enqueue(body)
    facts.insert_question(db, body)
    return body
