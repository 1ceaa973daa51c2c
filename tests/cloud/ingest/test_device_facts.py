"""A device speaks only for its own patient and plan: anything else is a dead letter, never a fact.

The same checks hold for the MQTT ingest path (`IngestService`) and the REST events endpoint.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cloud.conversations.models import Conversation, InteractionLog
from cloud.doses.models import DoseEventLog, DoseOccurrence
from cloud.ingest.models import DeadLetter, IngestedMessage
from cloud.ingest.service import IngestResult, IngestService, RawMessage
from cloud.plans.models import MedicationPlan
from shared.enums import AlertLevel, AlertType, DoseSource, DoseStatus, Intent
from shared.envelope import make_envelope
from shared.messages import (
    AlertBody,
    DoseEventBody,
    HeartbeatBody,
    InteractionBody,
    MessageBody,
    PlanAppliedBody,
)
from shared.schedule import as_needed_occurrence_id, occurrence_id
from shared.topics import up_topic
from tests.cloud.factories import DEFAULT_PASSWORD, CloudFactory, ProvisionedDevice

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
DAY = date(2026, 3, 10)
DUE_0800_BERLIN = datetime(2026, 3, 10, 7, 0, tzinfo=UTC)


def _setup(factory: CloudFactory) -> tuple[ProvisionedDevice, MedicationPlan]:
    patient = factory.patient()
    plan = factory.plan(patient, now=NOW - timedelta(days=1))
    return factory.device(patient), plan


def _scheduled(plan: MedicationPlan, **overrides: Any) -> DoseEventBody:
    """The 08:00 Metformin dose of 2026-03-10, taken on time, unless overridden."""
    item = next(i for i in plan.items if not i.as_needed)
    fields: dict[str, Any] = {
        "occurrence_id": occurrence_id(item.item_id, DAY, "08:00"),
        "plan_id": plan.plan_id,
        "plan_version": plan.version,
        "item_id": item.item_id,
        "medication_name": item.medication_name,
        "local_date": DAY,
        "slot": "08:00",
        "due_at": DUE_0800_BERLIN,
        "status": DoseStatus.ON_TIME,
        "decided_at": DUE_0800_BERLIN + timedelta(minutes=5),
        "source": DoseSource.BUTTON,
    }
    fields.update(overrides)
    return DoseEventBody(**fields)


def _as_needed(plan: MedicationPlan, taken_at: datetime, **overrides: Any) -> DoseEventBody:
    item = next(i for i in plan.items if i.as_needed)
    local = taken_at.astimezone(ZoneInfo(plan.timezone))
    fields: dict[str, Any] = {
        "occurrence_id": as_needed_occurrence_id(item.item_id, taken_at),
        "plan_id": plan.plan_id,
        "plan_version": plan.version,
        "item_id": item.item_id,
        "medication_name": item.medication_name,
        "local_date": local.date(),
        "slot": local.strftime("%H:%M"),
        "due_at": taken_at,
        "status": DoseStatus.ON_TIME,
        "decided_at": taken_at,
        "source": DoseSource.BUTTON,
        "as_needed": True,
    }
    fields.update(overrides)
    return DoseEventBody(**fields)


def _message(device: ProvisionedDevice, body: MessageBody, **envelope: Any) -> RawMessage:
    envelope.setdefault("sent_at", NOW)
    made = make_envelope(device.device_id, envelope.pop("seq", 1), body, **envelope)
    return RawMessage(device.device_id, made.to_json(), up_topic(device.device_id, body.KIND))


def _ingest(db: Session, *messages: RawMessage) -> IngestResult:
    return IngestService(db, now=lambda: NOW).ingest_raw(list(messages))


def _reason(result: IngestResult) -> str:
    assert not result.stored, "the fact was stored"
    assert len(result.dead_lettered) == 1
    return result.dead_lettered[0].reason


def _count(db: Session, model: type[Any]) -> int:
    return db.scalar(select(func.count()).select_from(model)) or 0


def _status(db: Session, occurrence: uuid.UUID) -> DoseStatus | None:
    """The occurrence's status (the cloud expands the plan, so it exists before any event)."""
    stored = db.get(DoseOccurrence, occurrence, populate_existing=True)
    return None if stored is None else stored.status


def test_a_device_cannot_decide_another_patients_dose(db: Session, factory: CloudFactory) -> None:
    attacker, _ = _setup(factory)
    _, victims_plan = _setup(factory)
    forged = _scheduled(victims_plan, status=DoseStatus.SKIPPED)

    result = _ingest(db, _message(attacker, forged))

    assert "not a plan of this device's patient" in _reason(result)
    assert _status(db, forged.occurrence_id) is DoseStatus.PENDING
    assert _count(db, DoseEventLog) == 0
    assert result.ackable, "a dead letter is still acked, so the device drops it"


def test_the_rest_events_endpoint_refuses_another_patients_dose_with_422(
    client: TestClient, factory: CloudFactory, db: Session
) -> None:
    attacker, _ = _setup(factory)
    _, victims_plan = _setup(factory)
    forged = _scheduled(victims_plan, status=DoseStatus.SKIPPED)
    envelope = make_envelope(attacker.device_id, 1, forged, sent_at=datetime.now(UTC))
    # A recent dose, so the time check passes and only the ownership check can refuse it.
    recent = json.loads(envelope.to_json())

    response = client.post(
        f"/api/v1/devices/{attacker.device_id}/events",
        json=[recent],
        auth=(attacker.device_id, DEFAULT_PASSWORD),
    )

    assert response.status_code == 422, response.text
    answer = response.json()
    assert answer["stored"] == []
    assert "not a plan of this device's patient" in answer["dead_lettered"][0]["reason"]
    assert answer["ack"] == [str(envelope.message_id)]
    assert _status(db, forged.occurrence_id) is DoseStatus.PENDING


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"occurrence_id": uuid.uuid4()}, "is not the plan's for that slot"),
        ({"slot": "09:00"}, "has no dose at"),
        ({"due_at": DUE_0800_BERLIN + timedelta(hours=1)}, "due_at"),
        ({"item_id": uuid.uuid4()}, "is not in plan"),
        ({"plan_id": uuid.uuid4()}, "not a plan of this device's patient"),
        ({"plan_version": 7}, "not a plan of this device's patient"),
        ({"medication_name": "Warfarin"}, "not 'Warfarin'"),
        ({"local_date": date(2026, 1, 1)}, "has no dose at"),
        ({"status": DoseStatus.PENDING}, "not pending"),
        ({"source": DoseSource.REMOTE}, "is not a device's"),
        ({"source": DoseSource.TIMEOUT}, "a timeout can only make a dose missed"),
        ({"as_needed": True}, "is scheduled, not as needed"),
    ],
)
def test_a_scheduled_dose_event_must_be_one_the_plan_derives(
    db: Session, factory: CloudFactory, change: dict[str, Any], reason: str
) -> None:
    device, plan = _setup(factory)
    good = _scheduled(plan)
    phantom = _scheduled(plan, **change)
    expanded = _count(db, DoseOccurrence)

    result = _ingest(db, _message(device, phantom))

    assert reason in _reason(result)
    assert _count(db, DoseOccurrence) == expanded, "a phantom dose was created"
    assert _count(db, DoseEventLog) == 0
    assert _ingest(db, _message(device, good, seq=2)).stored, "the plan's own dose is stored"


def test_an_as_needed_dose_has_the_id_derived_from_its_item_and_time(
    db: Session, factory: CloudFactory
) -> None:
    device, plan = _setup(factory)
    taken_at = NOW - timedelta(minutes=3)
    made_up = _as_needed(plan, taken_at, occurrence_id=uuid.uuid4())
    wrong_slot = _as_needed(plan, taken_at, slot="03:00")
    derived = _as_needed(plan, taken_at)

    assert "not the as-needed id" in _reason(_ingest(db, _message(device, made_up)))
    assert "not due_at in the plan's time zone" in _reason(
        _ingest(db, _message(device, wrong_slot, seq=2))
    )
    assert _ingest(db, _message(device, derived, seq=3)).stored
    stored = db.get(DoseOccurrence, derived.occurrence_id)
    assert stored is not None and stored.as_needed and stored.status is DoseStatus.ON_TIME


def test_one_slot_holds_one_dose_however_many_ids_a_device_makes_up(
    db: Session, factory: CloudFactory
) -> None:
    device, plan = _setup(factory)
    bodies = [_scheduled(plan, occurrence_id=uuid.uuid4()) for _ in range(2)] + [_scheduled(plan)]
    expanded = _count(db, DoseOccurrence)

    _ingest(db, *(_message(device, body, seq=n) for n, body in enumerate(bodies)))

    slot = select(func.count()).where(
        DoseOccurrence.patient_id == device.device.patient_id,
        DoseOccurrence.local_date == DAY,
        DoseOccurrence.slot == "08:00",
    )
    assert db.scalar(slot) == 1
    assert _count(db, DoseOccurrence) == expanded


@pytest.mark.parametrize(
    "envelope",
    [
        {"sent_at": datetime(9999, 12, 31, tzinfo=UTC)},
        {"sent_at": NOW + timedelta(days=3650)},
        {"sent_at": NOW - timedelta(days=400)},
    ],
)
def test_a_message_sent_at_an_implausible_time_is_dead_lettered(
    db: Session, factory: CloudFactory, envelope: dict[str, Any]
) -> None:
    device, _ = _setup(factory)
    heartbeat = HeartbeatBody(uptime_s=5, outbox_depth=0, software_version="1.0")

    assert "time" in _reason(_ingest(db, _message(device, heartbeat, **envelope)))
    assert _count(db, IngestedMessage) == 0


def test_a_dose_decided_ten_years_ahead_is_dead_lettered(
    db: Session, factory: CloudFactory
) -> None:
    device, plan = _setup(factory)
    future = _scheduled(plan, decided_at=NOW + timedelta(days=3650))

    assert "is after the message was received" in _reason(_ingest(db, _message(device, future)))
    assert _status(db, future.occurrence_id) is DoseStatus.PENDING


def test_a_device_clock_known_to_run_ahead_is_allowed_its_lead(
    db: Session, factory: CloudFactory
) -> None:
    device, _ = _setup(factory)
    device.device.clock_offset_s = 1800.0
    db.commit()
    heartbeat = HeartbeatBody(uptime_s=5, outbox_depth=0, software_version="1.0")

    too_far = _ingest(db, _message(device, heartbeat, sent_at=NOW + timedelta(minutes=45)))
    ahead = _ingest(db, _message(device, heartbeat, seq=2, sent_at=NOW + timedelta(minutes=35)))

    assert ahead.stored
    assert "is after the message was received" in _reason(too_far)


@pytest.mark.parametrize("literal", [b"Infinity", b"NaN", b"1e999", b"-Infinity"])
def test_non_finite_numbers_are_dead_lettered(
    db: Session, factory: CloudFactory, literal: bytes
) -> None:
    device, _ = _setup(factory)
    heartbeat = HeartbeatBody(uptime_s=12.5, outbox_depth=0, software_version="1.0")
    message = _message(device, heartbeat)
    payload = message.payload.replace(b'"uptime_s":12.5', b'"uptime_s":' + literal)
    assert payload != message.payload

    result = _ingest(db, RawMessage(device.device_id, payload, message.topic))

    assert "uptime_s" in _reason(result)


def test_non_finite_numbers_in_free_form_json_are_dead_lettered(
    db: Session, factory: CloudFactory
) -> None:
    device, _ = _setup(factory)
    interaction = InteractionBody(
        conversation_id=uuid.uuid4(),
        started_at=NOW,
        transcript="I have a headache",
        intent=Intent.LOG_SYMPTOM,
        understanding={"severity_score": 1.5},
    )
    message = _message(device, interaction)
    payload = message.payload.replace(b"1.5", b"Infinity")

    result = _ingest(db, RawMessage(device.device_id, payload, message.topic))

    assert "Infinity" in _reason(result)
    assert _count(db, InteractionLog) == 0


def test_a_device_cannot_write_into_another_patients_conversation(
    db: Session, factory: CloudFactory
) -> None:
    victim, _ = _setup(factory)
    attacker, _ = _setup(factory)

    said = InteractionBody(
        conversation_id=uuid.uuid4(), started_at=NOW, transcript="hi", intent=Intent.OTHER
    )
    assert _ingest(db, _message(victim, said)).stored

    result = _ingest(db, _message(attacker, said))

    assert "belongs to another patient" in _reason(result)
    assert _count(db, Conversation) == 1 and _count(db, InteractionLog) == 1


def test_plan_applied_must_name_a_plan_version_of_the_devices_patient(
    db: Session, factory: CloudFactory
) -> None:
    device, plan = _setup(factory)
    _, other_plan = _setup(factory)

    def applied(plan_id: uuid.UUID, version: int) -> PlanAppliedBody:
        return PlanAppliedBody(plan_id=plan_id, version=version, applied_at=NOW)

    others = _ingest(db, _message(device, applied(other_plan.plan_id, 1)))
    unknown = _ingest(db, _message(device, applied(plan.plan_id, 9), seq=2))
    own = _ingest(db, _message(device, applied(plan.plan_id, 1), seq=3))

    assert "not a plan of this device's patient" in _reason(others)
    assert "not a plan of this device's patient" in _reason(unknown)
    assert own.stored
    assert _count(db, DeadLetter) == 2


def test_a_device_cannot_raise_an_alert_about_another_patients_dose(
    db: Session, factory: CloudFactory
) -> None:
    attacker, _ = _setup(factory)
    _, victims_plan = _setup(factory)
    victims_dose = _scheduled(victims_plan).occurrence_id
    assert _status(db, victims_dose) is DoseStatus.PENDING, "the victim's dose is expanded"
    alert = AlertBody(
        alert_id=uuid.uuid4(),
        alert_type=AlertType.MISSED_DOSE,
        level=AlertLevel.WARNING,
        raised_at=NOW,
        message="missed",
        occurrence_id=victims_dose,
    )

    assert "belongs to another patient" in _reason(_ingest(db, _message(attacker, alert)))
