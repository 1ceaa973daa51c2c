"""One ordering rule for dose decisions: the first decision (by the device's clock) wins,
whatever order and however often the messages arrive; later ones stay logged as amendments."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cloud.doses.models import DoseEventLog, DoseOccurrence
from cloud.doses.schemas import DecisionIn
from cloud.doses.service import DoseService
from cloud.ingest.service import IngestService, RawMessage
from cloud.plans.models import MedicationPlan
from shared.enums import DoseSource, DoseStatus
from shared.envelope import make_envelope
from shared.messages import DoseEventBody
from shared.schedule import occurrence_id
from shared.topics import up_topic
from tests.cloud.factories import CloudFactory, ProvisionedDevice

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
DAY = date(2026, 3, 10)
DUE = datetime(2026, 3, 10, 7, 0, tzinfo=UTC)  # 08:00 in Berlin


def _decision(plan: MedicationPlan, status: DoseStatus, minutes: int, **fields: Any) -> Any:
    item = next(i for i in plan.items if not i.as_needed)
    return DoseEventBody(
        occurrence_id=occurrence_id(item.item_id, DAY, "08:00"),
        plan_id=plan.plan_id,
        plan_version=plan.version,
        item_id=item.item_id,
        medication_name=item.medication_name,
        local_date=DAY,
        slot="08:00",
        due_at=DUE,
        status=status,
        decided_at=DUE + timedelta(minutes=minutes),
        source=fields.pop("source", DoseSource.BUTTON),
        **fields,
    )


def _messages(device: ProvisionedDevice, *bodies: DoseEventBody) -> list[RawMessage]:
    """One message per body, seq in the order given (the order the device made them)."""
    return [
        RawMessage(
            device.device_id,
            make_envelope(device.device_id, seq, body, sent_at=body.decided_at).to_json(),
            up_topic(device.device_id, body.KIND),
        )
        for seq, body in enumerate(bodies, start=1)
    ]


def _occurrence(db: Session, body: DoseEventBody) -> DoseOccurrence:
    occurrence = db.get(DoseOccurrence, body.occurrence_id, populate_existing=True)
    assert occurrence is not None
    return occurrence


@pytest.fixture
def setup(factory: CloudFactory) -> tuple[ProvisionedDevice, MedicationPlan]:
    patient = factory.patient()
    plan = factory.plan(patient, now=NOW - timedelta(days=1))
    return factory.device(patient), plan


# Indexes into the three decisions the device made (taken, skipped, timeout), as they arrive.
ARRIVALS = [(0, 1, 2), (2, 1, 0), (1, 0, 2, 0), (2, 0, 1, 1, 2)]


@pytest.mark.parametrize("arrival", ARRIVALS)
@pytest.mark.parametrize("one_batch", [False, True])
def test_the_first_decision_wins_in_any_arrival_order_with_repeats(
    db: Session,
    setup: tuple[ProvisionedDevice, MedicationPlan],
    arrival: tuple[int, ...],
    one_batch: bool,
) -> None:
    device, plan = setup
    made = _messages(
        device,
        _decision(plan, DoseStatus.ON_TIME, 5),
        _decision(plan, DoseStatus.SKIPPED, 10, skip_reason="changed my mind"),
        _decision(plan, DoseStatus.MISSED, 120, source=DoseSource.TIMEOUT),
    )
    arriving = [made[i] for i in arrival]
    service = IngestService(db, now=lambda: NOW)

    if one_batch:
        service.ingest_raw(arriving)
    else:
        for message in arriving:
            service.ingest_raw([message])

    occurrence = _occurrence(db, _decision(plan, DoseStatus.ON_TIME, 5))
    assert occurrence.status is DoseStatus.ON_TIME
    assert occurrence.decided_at == DUE + timedelta(minutes=5)
    logged = db.scalars(select(DoseEventLog.status).order_by(DoseEventLog.decided_at)).all()
    assert logged == [DoseStatus.ON_TIME, DoseStatus.SKIPPED, DoseStatus.MISSED], "amendments"


def test_a_persons_decision_after_the_timeout_still_wins(
    db: Session, setup: tuple[ProvisionedDevice, MedicationPlan]
) -> None:
    device, plan = setup
    missed, taken = _messages(
        device,
        _decision(plan, DoseStatus.MISSED, 120, source=DoseSource.TIMEOUT),
        _decision(plan, DoseStatus.LATE, 125),
    )
    service = IngestService(db, now=lambda: NOW)

    service.ingest_raw([missed])
    service.ingest_raw([taken])

    assert _occurrence(db, _decision(plan, DoseStatus.LATE, 125)).status is DoseStatus.LATE


def test_a_remote_correction_is_not_undone_by_an_earlier_device_decision(
    db: Session, factory: CloudFactory, setup: tuple[ProvisionedDevice, MedicationPlan]
) -> None:
    device, plan = setup
    skipped, taken = _messages(
        device,
        _decision(plan, DoseStatus.SKIPPED, 30, skip_reason="nausea"),
        _decision(plan, DoseStatus.ON_TIME, 5),
    )
    service = IngestService(db, now=lambda: NOW)
    service.ingest_raw([skipped])
    assert device.device.patient_id is not None
    doctor = factory.user()
    DoseService(db).decide(
        device.device.patient_id,
        _decision(plan, DoseStatus.SKIPPED, 30).occurrence_id,
        DecisionIn(status=DoseStatus.LATE, decided_at=DUE + timedelta(minutes=40)),
        decided_by=doctor.id,
    )

    service.ingest_raw([taken])

    occurrence = _occurrence(db, _decision(plan, DoseStatus.ON_TIME, 5))
    assert occurrence.status is DoseStatus.LATE and occurrence.source is DoseSource.REMOTE
    assert db.scalar(select(func.count()).select_from(DoseEventLog)) == 3
