"""A worker's plan index outlives its batches: what it keeps must never hide a plan change."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from cloud.doses.models import DoseOccurrence
from cloud.ingest.facts import PlanIndex
from cloud.ingest.service import IngestResult, IngestService, RawMessage
from cloud.plans.models import MedicationPlan, MedicationPlanItem
from cloud.plans.schemas import PlanItemIn
from shared.enums import DoseSource, DoseStatus
from shared.envelope import make_envelope
from shared.messages import DoseEventBody
from shared.schedule import occurrence_id, resolve_local
from shared.topics import up_topic
from tests.cloud.factories import CloudFactory, ProvisionedDevice

NOW = datetime(2026, 3, 10, 21, 0, tzinfo=UTC)
DAY = date(2026, 3, 10)


def _item(plan: MedicationPlan, name: str) -> MedicationPlanItem:
    return next(i for i in plan.items if i.medication_name == name)


def _dose(plan: MedicationPlan, item: MedicationPlanItem, slot: str, **overrides: Any) -> Any:
    """The `slot` dose of `item` on DAY, taken on time, as its plan derives it."""
    due = resolve_local(DAY, slot, ZoneInfo(plan.timezone))
    fields: dict[str, Any] = {
        "occurrence_id": occurrence_id(item.item_id, DAY, slot),
        "plan_id": plan.plan_id,
        "plan_version": plan.version,
        "item_id": item.item_id,
        "medication_name": item.medication_name,
        "local_date": DAY,
        "slot": slot,
        "due_at": due,
        "status": DoseStatus.ON_TIME,
        "decided_at": due + timedelta(minutes=2),
        "source": DoseSource.BUTTON,
    }
    fields.update(overrides)
    return DoseEventBody(**fields)


def _message(device: ProvisionedDevice, seq: int, body: DoseEventBody) -> RawMessage:
    made = make_envelope(device.device_id, seq, body, sent_at=NOW)
    return RawMessage(device.device_id, made.to_json(), up_topic(device.device_id, body.KIND))


def _ingest(db: Session, plans: PlanIndex, *messages: RawMessage) -> IngestResult:
    """One batch, as a worker stores it: with the index it keeps across batches."""
    return IngestService(db, now=lambda: NOW, plans=plans).ingest_raw(list(messages))


def test_a_plan_version_saved_between_two_batches_is_honoured_by_the_kept_index(
    db: Session, factory: CloudFactory
) -> None:
    patient = factory.patient()
    first = factory.plan(patient, now=NOW - timedelta(days=2))
    device = factory.device(patient)
    metformin = _item(first, "Metformin")
    plans = PlanIndex()

    stored = _ingest(db, plans, _message(device, 1, _dose(first, metformin, "08:00")))
    # The device runs version 2 before the cloud has committed it: refused, and not remembered.
    early = _dose(first, metformin, "20:00", plan_version=2)
    refused = _ingest(db, plans, _message(device, 2, early))

    # Version 2 keeps Metformin's line at 20:00 only and adds Ramipril.
    second = factory.plan(
        patient,
        items=[
            PlanItemIn.of_stored(metformin).model_copy(update={"times_of_day": ["20:00"]}),
            PlanItemIn(
                medication_name="Ramipril",
                dose=5,
                unit="mg",
                times_of_day=["20:00"],
                start_date=DAY - timedelta(days=1),
            ),
        ],
        now=NOW - timedelta(days=1),
    )
    ramipril = _item(second, "Ramipril")
    mixed = _ingest(
        db,
        plans,
        _message(device, 3, early),
        _message(device, 4, _dose(second, ramipril, "20:00")),
        _message(device, 5, _dose(second, metformin, "08:00")),
    )

    assert stored.stored and not stored.dead_lettered
    assert refused.dead_lettered[0].reason.endswith("is not a plan of this device's patient")
    assert second.version == 2 and _item(second, "Metformin").item_id == metformin.item_id
    # The version the index had not found is read again; the batch's one bad fact (a slot
    # version 2 dropped) alone is dead-lettered, the others are stored with their occurrences.
    assert len(mixed.stored) == 2
    assert [d.reason for d in mixed.dead_lettered] == [
        f"item {metformin.item_id} has no dose at {DAY} 08:00"
    ]
    for item, dose in ((metformin, 500), (ramipril, 5)):
        taken = db.get(
            DoseOccurrence, occurrence_id(item.item_id, DAY, "20:00"), populate_existing=True
        )
        assert taken is not None and taken.status is DoseStatus.ON_TIME
        assert taken.dose == dose


def test_an_index_past_its_bound_reads_a_dropped_version_again(
    db: Session, factory: CloudFactory
) -> None:
    plans = PlanIndex(max_versions=1)
    setups = []
    for _ in range(2):
        patient = factory.patient()
        plan = factory.plan(patient, now=NOW - timedelta(days=2))
        setups.append((factory.device(patient), plan))

    results = [
        _ingest(db, plans, _message(device, seq, _dose(plan, _item(plan, "Metformin"), slot)))
        for seq, slot in ((1, "08:00"), (2, "20:00"))
        for device, plan in setups
    ]

    assert all(len(result.stored) == 1 for result in results)
    assert len(plans.versions) == 1
