"""The cloud's /voice follows the device's reply policy: no dose from the words alone, a skip
recorded as said, a severe symptom alerted as on the device, a doubtful emergency asked about."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from cloud.alerts.models import AlertLog, AlertStatus
from cloud.doses.models import DoseEventLog, DoseOccurrence
from cloud.plans.schemas import PlanItemIn
from shared.dialog import replies
from shared.enums import AlertLevel, AlertType, DoseSource, DoseStatus
from tests.cloud.factories import CloudFactory, ProvisionedDevice


@pytest.fixture
def device(factory: CloudFactory) -> ProvisionedDevice:
    """A patient whose plan schedules nothing (as needed only), so `due_now` is the only dose due
    whatever the time of day the test runs at."""
    patient = factory.patient()
    start = datetime.now(UTC).date() - timedelta(days=30)
    as_needed = PlanItemIn(
        medication_name="Paracetamol",
        dose=500,
        unit="mg",
        as_needed=True,
        max_per_day=4,
        start_date=start,
    )
    factory.plan(patient, items=[as_needed])
    return factory.device(patient)


@pytest.fixture
def due_now(db: Session, device: ProvisionedDevice) -> DoseOccurrence:
    """A Warfarin dose due five minutes ago, still pending."""
    now = datetime.now(UTC)
    occurrence = DoseOccurrence(
        id=uuid.uuid4(),
        patient_id=device.device.patient_id,
        plan_id=uuid.uuid4(),
        plan_version=1,
        item_id=uuid.uuid4(),
        medication_name="Warfarin",
        dose=3,
        unit="mg",
        local_date=now.date(),
        slot="now",
        due_at=now - timedelta(minutes=5),
        on_time_until=now + timedelta(minutes=30),
        missed_after=now + timedelta(hours=2),
    )
    db.add(occurrence)
    db.commit()
    return occurrence


def say(
    client: TestClient, device: ProvisionedDevice, transcript: str, conversation: str | None = None
) -> dict[str, object]:
    body: dict[str, object] = {"transcript": transcript}
    if conversation is not None:
        body["conversation_id"] = conversation
    response = client.post(
        f"/api/v1/devices/{device.device_id}/voice",
        json=body,
        auth=(device.device_id, device.password),
    )
    assert response.status_code == 200, response.text
    answer: dict[str, object] = response.json()
    return answer


def events(db: Session, occurrence: DoseOccurrence) -> list[tuple[DoseStatus, DoseSource]]:
    db.expire_all()
    rows = db.scalars(select(DoseEventLog).where(DoseEventLog.occurrence_id == occurrence.id))
    return [(row.status, row.source) for row in rows]


def test_a_dose_report_asks_first_and_records_nothing(
    client: TestClient, db: Session, device: ProvisionedDevice, due_now: DoseOccurrence
) -> None:
    answer = say(client, device, "I took my pills")

    assert answer["reply"] == replies.confirm_dose("Warfarin, 3 mg")
    assert events(db, due_now) == []


def test_a_clear_yes_in_the_same_conversation_records_the_doses_named(
    client: TestClient, db: Session, device: ProvisionedDevice, due_now: DoseOccurrence
) -> None:
    asked = say(client, device, "I took my pills")
    answer = say(client, device, "yes", str(asked["conversation_id"]))

    assert events(db, due_now) == [(DoseStatus.ON_TIME, DoseSource.VOICE)]
    assert "Warfarin" in str(answer["reply"]) and "taken" in str(answer["reply"])


@pytest.mark.parametrize(
    "text", ["I'll take my tablets after lunch", "I didn't take them", "perhaps I had them"]
)
def test_statements_that_are_no_report_record_nothing_even_with_a_yes(
    client: TestClient, db: Session, device: ProvisionedDevice, due_now: DoseOccurrence, text: str
) -> None:
    first = say(client, device, text)
    say(client, device, "yes", str(first["conversation_id"]))

    assert events(db, due_now) == []


def test_a_yes_in_another_conversation_records_nothing(
    client: TestClient, db: Session, device: ProvisionedDevice, due_now: DoseOccurrence
) -> None:
    say(client, device, "I took my pills")
    say(client, device, "yes")

    assert events(db, due_now) == []


def test_skip_records_the_skip_and_says_only_that(
    client: TestClient, db: Session, device: ProvisionedDevice, due_now: DoseOccurrence
) -> None:
    answer = say(client, device, "skip my pills")

    assert events(db, due_now) == [(DoseStatus.SKIPPED, DoseSource.VOICE)]
    assert answer["reply"] == replies.skipped("Warfarin, 3 mg", caregiver_notified=False)


def test_a_severe_symptom_raises_the_devices_symptom_alert(
    client: TestClient, db: Session, device: ProvisionedDevice
) -> None:
    answer = say(client, device, "my knee hurts really badly")

    alert = db.get(AlertLog, answer["alert_id"])
    assert alert is not None
    assert (alert.alert_type, alert.level) == (AlertType.SYMPTOM, AlertLevel.WARNING)
    assert alert.message == "Severe symptom reported: pain."
    assert "caregiver" in str(answer["reply"])


def test_a_doubtful_emergency_warns_at_once_and_asks(
    client: TestClient, db: Session, device: ProvisionedDevice
) -> None:
    answer = say(client, device, "I had a fall last week")

    assert answer["reply"] == replies.ASK_HELP
    alert = db.get(AlertLog, answer["alert_id"])
    assert alert is not None and alert.level is AlertLevel.WARNING


def test_yes_to_the_help_check_raises_the_critical_alert(
    client: TestClient, db: Session, device: ProvisionedDevice
) -> None:
    asked = say(client, device, "I had a fall last week")
    answer = say(client, device, "yes", str(asked["conversation_id"]))

    alert = db.get(AlertLog, answer["alert_id"])
    assert alert is not None and alert.level is AlertLevel.CRITICAL
    assert answer["reply"] == replies.EMERGENCY


def test_no_im_fine_settles_the_warning(
    client: TestClient, db: Session, device: ProvisionedDevice
) -> None:
    asked = say(client, device, "I had a fall last week")
    answer = say(client, device, "no, I'm fine", str(asked["conversation_id"]))

    assert answer["reply"] == replies.HELP_CANCELLED
    db.expire_all()
    warning = db.get(AlertLog, asked["alert_id"])
    assert warning is not None and warning.status is AlertStatus.RESOLVED
