"""Plan versions: contract round trip, new versions keep item lines, devices hear of changes."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from cloud.alerts.models import AlertLog
from cloud.config import CloudSettings
from cloud.doses.expansion import OccurrenceExpander
from cloud.doses.models import DoseOccurrence
from cloud.escalation.detectors import raise_dose_alerts
from cloud.plans import hooks
from cloud.plans.schemas import PlanItemIn, PlanVersionIn
from cloud.plans.service import PlanService
from cloud.plans.wire import from_contract, to_contract
from shared.enums import DoseStatus
from shared.plan import MedicationPlan
from tests.cloud.conftest import bearer
from tests.cloud.factories import CloudFactory

NOW = datetime(2026, 3, 10, 6, 0, tzinfo=UTC)


class RecordingPublisher:
    """A plan publisher that remembers what it was given."""

    def __init__(self) -> None:
        self.published: list[tuple[str, MedicationPlan]] = []

    def publish(self, device_id: str, plan: MedicationPlan) -> None:
        self.published.append((device_id, plan))


@pytest.fixture
def publisher() -> Iterator[RecordingPublisher]:
    recording = RecordingPublisher()
    hooks.register_plan_publisher(recording)
    yield recording
    hooks.unregister_plan_publisher(recording)


def test_a_stored_plan_round_trips_to_the_contract(db: Session, factory: CloudFactory) -> None:
    stored = factory.plan(factory.patient(), now=NOW)

    wire = to_contract(stored)

    assert to_contract(from_contract(wire)) == wire
    assert wire.version == 1 and len(wire.items) == 2


def test_a_new_version_keeps_item_lines_and_moves_pending_doses(
    db: Session, factory: CloudFactory, publisher: RecordingPublisher
) -> None:
    patient = factory.patient()
    device = factory.device(patient)
    first = factory.plan(patient, now=NOW)
    metformin = next(item for item in first.items if not item.as_needed)
    spec = PlanVersionIn(
        items=[
            PlanItemIn(
                item_id=metformin.item_id,
                medication_name="Metformin",
                dose=850,
                unit="mg",
                times_of_day=["08:00"],
                start_date=date(2026, 1, 1),
            )
        ]
    )

    second = PlanService(db).save_version(patient.id, spec, now=NOW)

    assert second.version == 2 and second.plan_id == first.plan_id
    assert second.items[0].item_id == metformin.item_id
    future = db.scalars(
        select(DoseOccurrence).where(
            DoseOccurrence.patient_id == patient.id, DoseOccurrence.due_at > NOW
        )
    ).all()
    assert future and {o.plan_version for o in future} == {2}
    assert {o.slot for o in future} == {"08:00"} and all(
        o.status is DoseStatus.PENDING for o in future
    )
    assert [(d, p.version) for d, p in publisher.published] == [
        (device.device_id, 1),
        (device.device_id, 2),
    ]


def test_assigning_a_device_sends_it_the_patients_plan(
    client: TestClient,
    factory: CloudFactory,
    cloud_settings: CloudSettings,
    publisher: RecordingPublisher,
) -> None:
    patient = factory.patient()
    factory.plan(patient, now=NOW)
    device = factory.device(None)

    response = client.patch(
        f"/api/v1/devices/{device.device_id}",
        json={"patient_id": str(patient.id)},
        headers=bearer(cloud_settings, factory.admin()),
    )

    assert response.status_code == 200
    assert [(d, p.patient_id) for d, p in publisher.published] == [(device.device_id, patient.id)]


def test_an_invalid_plan_is_refused_with_the_reason(
    client: TestClient, factory: CloudFactory, cloud_settings: CloudSettings
) -> None:
    patient = factory.patient()
    body = {
        "items": [{"medication_name": "X", "dose": 1, "unit": "mg", "start_date": "2026-01-01"}]
    }

    response = client.post(
        f"/api/v1/patients/{patient.id}/plans",
        json=body,
        headers=bearer(cloud_settings, factory.admin()),
    )

    assert response.status_code == 422
    assert "times_of_day" in response.json()["error"]["message"]


def _upcoming(db: Session, patient_id: object, after: datetime) -> list[DoseOccurrence]:
    db.expire_all()
    return list(
        db.scalars(
            select(DoseOccurrence)
            .where(DoseOccurrence.patient_id == patient_id, DoseOccurrence.due_at > after)
            .order_by(DoseOccurrence.due_at)
        )
    )


def test_a_paused_line_has_no_expected_doses_and_no_alerts_until_resumed(
    db: Session, factory: CloudFactory, publisher: RecordingPublisher
) -> None:
    patient = factory.patient()
    factory.device(patient)
    first = factory.plan(patient, now=NOW)
    metformin = next(item for item in first.items if not item.as_needed)
    lines = [PlanItemIn.of_stored(item) for item in first.items]
    paused = [
        line.model_copy(update={"paused": line.item_id == metformin.item_id}) for line in lines
    ]
    service = PlanService(db)

    second = service.save_version(patient.id, PlanVersionIn(items=paused), now=NOW)

    assert [item.paused for item in second.items] == [True, False]
    assert to_contract(second).items[0].paused
    assert publisher.published[-1][1].items[0].paused, "the device hears of the pause"
    assert _upcoming(db, patient.id, NOW) == []
    # Days later, the horizon job expects nothing of it and nothing is missed.
    later = NOW + timedelta(days=20)
    OccurrenceExpander(db).extend_horizon(later)
    _, missed, _ = raise_dose_alerts(
        db, later, overdue_after=timedelta(minutes=30), lookback=timedelta(days=30)
    )
    db.commit()
    assert _upcoming(db, patient.id, NOW) == [] and missed == 0
    assert db.scalars(select(AlertLog).where(AlertLog.patient_id == patient.id)).all() == []

    resumed = service.save_version(patient.id, PlanVersionIn(items=lines), now=later)

    upcoming = _upcoming(db, patient.id, later)
    assert upcoming and {o.item_id for o in upcoming} == {metformin.item_id}
    assert {o.plan_version for o in upcoming} == {resumed.version} == {3}


def test_the_api_takes_and_answers_paused(
    client: TestClient, factory: CloudFactory, cloud_settings: CloudSettings
) -> None:
    patient = factory.patient()
    line = {
        "medication_name": "Ramipril",
        "dose": 5,
        "unit": "mg",
        "times_of_day": ["07:30"],
        "start_date": "2026-01-01",
        "paused": True,
    }

    response = client.post(
        f"/api/v1/patients/{patient.id}/plans",
        json={"items": [line]},
        headers=bearer(cloud_settings, factory.admin()),
    )

    assert response.status_code == 201, response.text
    assert response.json()["items"][0]["paused"] is True
