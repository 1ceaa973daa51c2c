"""Ingest stores each device message once, applies its effects, and dead-letters bad input."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cloud.alerts.models import AlertLog
from cloud.conversations.models import Conversation, InteractionLog, LlmRequest
from cloud.devices.models import Device, DeviceEvent, DeviceHeartbeat
from cloud.doses.models import DoseEventLog, DoseOccurrence
from cloud.ingest.models import DeadLetter, IngestedMessage
from cloud.ingest.service import IngestService, RawMessage
from cloud.patients.models import Patient
from cloud.plans.models import MedicationPlan
from cloud.questions.models import MedicationQuestionLog
from cloud.symptoms.models import SymptomLog
from shared.enums import AlertLevel, AlertType, DoseSource, DoseStatus, Intent, Severity
from shared.envelope import Envelope, make_envelope
from shared.messages import (
    AlertBody,
    DoseEventBody,
    HeartbeatBody,
    InteractionBody,
    LlmCall,
    MedQuestionBody,
    MessageBody,
    PlanAppliedBody,
    SymptomBody,
)
from shared.schedule import as_needed_occurrence_id, occurrence_id
from shared.topics import up_topic
from tests.cloud.factories import CloudFactory, ProvisionedDevice

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


def _envelope(device: str, seq: int, body: MessageBody, **fields: Any) -> Envelope[Any]:
    """An envelope sent at NOW (the tests' receive time) unless told otherwise."""
    fields.setdefault("sent_at", NOW)
    return make_envelope(device, seq, body, **fields)


def _raw(device: str, envelope: Envelope[Any]) -> RawMessage:
    return RawMessage(device, envelope.to_json(), up_topic(device, envelope.kind))


def _count(db: Session, model: type[Any]) -> int:
    return db.scalar(select(func.count()).select_from(model)) or 0


def _dose_body(
    plan: MedicationPlan,
    status: DoseStatus,
    decided_at: datetime,
    source: DoseSource = DoseSource.BUTTON,
) -> DoseEventBody:
    item = next(i for i in plan.items if not i.as_needed)
    day = date(2026, 3, 10)
    due = datetime(2026, 3, 10, 7, 0, tzinfo=UTC)
    return DoseEventBody(
        occurrence_id=occurrence_id(item.item_id, day, "08:00"),
        plan_id=plan.plan_id,
        plan_version=plan.version,
        item_id=item.item_id,
        medication_name=item.medication_name,
        local_date=day,
        slot="08:00",
        due_at=due,
        status=status,
        decided_at=decided_at,
        source=source,
    )


def _setup(factory: CloudFactory) -> tuple[ProvisionedDevice, MedicationPlan]:
    patient = factory.patient()
    plan = factory.plan(patient, now=NOW - timedelta(days=1))
    return factory.device(patient), plan


def _ingest(db: Session, *messages: RawMessage) -> Any:
    return IngestService(db, now=lambda: NOW).ingest_raw(list(messages))


def test_a_dose_event_decides_its_occurrence_and_a_repeat_changes_nothing(
    db: Session, factory: CloudFactory
) -> None:
    device, plan = _setup(factory)
    body = _dose_body(plan, DoseStatus.LATE, NOW - timedelta(hours=4))
    message = _raw(device.device_id, _envelope(device.device_id, 1, body))

    first = _ingest(db, message)
    second = _ingest(db, message)

    assert first.stored and not first.duplicates
    assert second.duplicates == first.stored and not second.stored
    occurrence = db.get(DoseOccurrence, body.occurrence_id)
    assert occurrence is not None and occurrence.status is DoseStatus.LATE
    event = db.scalars(select(DoseEventLog)).one()
    assert occurrence.decided_by_event_id == event.id
    assert _count(db, IngestedMessage) == 1


def test_a_timeout_missed_never_overwrites_a_taken_dose(db: Session, factory: CloudFactory) -> None:
    device, plan = _setup(factory)
    taken = _dose_body(plan, DoseStatus.LATE, NOW - timedelta(hours=4))
    missed = _dose_body(plan, DoseStatus.MISSED, NOW - timedelta(hours=2), DoseSource.TIMEOUT)

    _ingest(db, _raw(device.device_id, _envelope(device.device_id, 2, taken)))
    _ingest(db, _raw(device.device_id, _envelope(device.device_id, 1, missed)))

    occurrence = db.get(DoseOccurrence, taken.occurrence_id)
    assert occurrence is not None and occurrence.status is DoseStatus.LATE


def test_an_event_for_an_occurrence_the_cloud_never_expanded_creates_it(
    db: Session, factory: CloudFactory
) -> None:
    device, plan = _setup(factory)
    item = next(i for i in plan.items if i.as_needed)
    body = DoseEventBody(
        occurrence_id=as_needed_occurrence_id(item.item_id, NOW),
        plan_id=plan.plan_id,
        plan_version=plan.version,
        item_id=item.item_id,
        medication_name=item.medication_name,
        local_date=date(2026, 3, 10),
        slot="13:00",
        due_at=NOW,
        status=DoseStatus.ON_TIME,
        decided_at=NOW,
        source=DoseSource.BUTTON,
        as_needed=True,
    )

    _ingest(db, _raw(device.device_id, _envelope(device.device_id, 1, body)))

    occurrence = db.get(DoseOccurrence, body.occurrence_id)
    assert occurrence is not None
    assert occurrence.as_needed and occurrence.status is DoseStatus.ON_TIME
    assert occurrence.plan_version_id == plan.id
    event = db.scalars(select(DoseEventLog)).one()
    assert occurrence.decided_by_event_id == event.id, "the new occurrence names its deciding event"


def test_invalid_payloads_become_dead_letters_with_their_bytes_and_reason(
    db: Session, factory: CloudFactory
) -> None:
    device, _ = _setup(factory)
    garbage = RawMessage(device.device_id, b"\xff not json", "medmind/v1/devices/x/up/dose_event")

    result = _ingest(db, garbage)

    letter = db.scalars(select(DeadLetter)).one()
    assert letter.raw == b"\xff not json"
    assert "not UTF-8 JSON" in letter.reason
    assert result.dead_lettered[0].message_id is None and result.ackable == []


def test_a_message_claiming_another_device_is_dead_lettered_but_ackable(
    db: Session, factory: CloudFactory
) -> None:
    device, _ = _setup(factory)
    other, _ = _setup(factory)
    heartbeat = HeartbeatBody(uptime_s=1, outbox_depth=0, software_version="1.0")
    envelope = _envelope(other.device_id, 1, heartbeat)

    result = _ingest(db, RawMessage(device.device_id, envelope.to_json()))

    assert "differs from the sender" in result.dead_lettered[0].reason
    assert result.ackable == [envelope.message_id]
    assert _count(db, IngestedMessage) == 0


def test_unknown_devices_and_oversized_payloads_are_dead_lettered(
    db: Session, factory: CloudFactory
) -> None:
    heartbeat = HeartbeatBody(uptime_s=1, outbox_depth=0, software_version="1.0")
    unknown = _envelope("ghost-device", 1, heartbeat)

    result = IngestService(db, max_payload_bytes=10_000).ingest_raw(
        [_raw("ghost-device", unknown), RawMessage("ghost-device", b"{" + b" " * 20_000 + b"}")]
    )

    reasons = [d.reason for d in result.dead_lettered]
    assert any("unknown device" in r for r in reasons)
    assert any("exceeds the limit" in r for r in reasons)
    assert _count(db, DeadLetter) == 2


def test_a_heartbeat_updates_the_device(db: Session, factory: CloudFactory) -> None:
    device, _ = _setup(factory)
    heartbeat = HeartbeatBody(uptime_s=50, outbox_depth=3, software_version="2.1.0", plan_version=1)

    _ingest(
        db,
        _raw(
            device.device_id,
            _envelope(device.device_id, 7, heartbeat, sent_at=NOW + timedelta(seconds=2)),
        ),
    )

    stored = db.get(Device, device.device.id, populate_existing=True)
    assert stored is not None
    assert stored.online and stored.last_seen_at == NOW and stored.last_seq == 7
    assert stored.software_version == "2.1.0" and stored.plan_version_applied == 1
    assert stored.clock_offset_s == 2.0
    assert _count(db, DeviceHeartbeat) == 1


def test_every_up_kind_lands_in_its_table(db: Session, factory: CloudFactory) -> None:
    device, plan = _setup(factory)
    conversation = uuid.uuid4()
    bodies: list[MessageBody] = [
        InteractionBody(
            conversation_id=conversation,
            started_at=NOW,
            transcript="I have a headache",
            intent=Intent.LOG_SYMPTOM,
            understood_by="llm",
            llm=LlmCall(
                model_name="gemma", model_version="3", prompt="p", output="{}", latency_ms=80
            ),
        ),
        SymptomBody(
            symptom_id=uuid.uuid4(),
            conversation_id=conversation,
            reported_at=NOW,
            symptom="headache",
            severity=Severity.MILD,
        ),
        MedQuestionBody(
            question_id=uuid.uuid4(),
            asked_at=NOW,
            question="What do I take tonight?",
            answer="Metformin 500 mg",
        ),
        AlertBody(
            alert_id=uuid.uuid4(),
            alert_type=AlertType.EMERGENCY,
            level=AlertLevel.CRITICAL,
            raised_at=NOW,
            message="help",
        ),
        PlanAppliedBody(plan_id=plan.plan_id, version=1, applied_at=NOW),
    ]
    messages = [
        _raw(device.device_id, _envelope(device.device_id, n, b)) for n, b in enumerate(bodies, 1)
    ]

    result = _ingest(db, *messages)

    assert len(result.stored) == len(bodies)
    for model in (
        Conversation,
        InteractionLog,
        LlmRequest,
        SymptomLog,
        MedicationQuestionLog,
        AlertLog,
        DeviceEvent,
    ):
        assert _count(db, model) == 1, model.__tablename__
    stored = db.get(Device, device.device.id, populate_existing=True)
    assert stored is not None and stored.plan_version_applied == 1


def test_a_late_older_plan_applied_does_not_roll_the_device_back(
    db: Session, factory: CloudFactory
) -> None:
    # Devices only ever apply newer versions; two workers may commit their reports out of order.
    device, plan = _setup(factory)
    patient = db.get(Patient, plan.patient_id)
    assert patient is not None
    for _ in range(2, 6):
        factory.plan(patient, now=NOW - timedelta(days=1))

    def applied(seq: int, version: int) -> RawMessage:
        body = PlanAppliedBody(plan_id=plan.plan_id, version=version, applied_at=NOW)
        return _raw(device.device_id, _envelope(device.device_id, seq, body))

    def shown() -> int | None:
        stored = db.get(Device, device.device.id, populate_existing=True)
        return None if stored is None else stored.plan_version_applied

    _ingest(db, applied(seq=2, version=3))
    _ingest(db, applied(seq=1, version=2))
    assert shown() == 3, "a later batch with an older report rolled the version back"
    _ingest(db, applied(seq=4, version=5), applied(seq=3, version=4))
    assert shown() == 5, "an older report later in the same batch rolled the version back"


def test_patient_data_from_an_unassigned_device_is_dead_lettered(
    db: Session, factory: CloudFactory
) -> None:
    device = factory.device(None)
    symptom = SymptomBody(symptom_id=uuid.uuid4(), reported_at=NOW, symptom="cough")

    result = _ingest(db, _raw(device.device_id, _envelope(device.device_id, 1, symptom)))

    assert "not assigned to a patient" in result.dead_lettered[0].reason
    assert _count(db, SymptomLog) == 0


def test_messages_made_with_an_unsynced_clock_are_placed_after_the_last_synced_one(
    db: Session, factory: CloudFactory
) -> None:
    device, _ = _setup(factory)
    synced_at = NOW - timedelta(minutes=10)
    first = SymptomBody(symptom_id=uuid.uuid4(), reported_at=synced_at, symptom="dizzy")
    wrong_clock = datetime(1970, 1, 1, 0, 5, tzinfo=UTC)
    second = SymptomBody(symptom_id=uuid.uuid4(), reported_at=wrong_clock, symptom="nausea")

    _ingest(db, _raw(device.device_id, _envelope(device.device_id, 10, first, sent_at=synced_at)))
    _ingest(
        db,
        _raw(
            device.device_id,
            _envelope(device.device_id, 12, second, sent_at=wrong_clock, clock_synced=False),
        ),
    )

    placed = db.get(SymptomLog, second.symptom_id)
    assert placed is not None
    assert placed.reported_at == synced_at + timedelta(milliseconds=2)
