"""Several decisions for one occurrence follow one rule in a batch, across batches and over the
broker: a person's decision beats the timeout's "missed", else the first decision wins."""

from __future__ import annotations

from datetime import timedelta

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion
from sqlalchemy.orm import Session, sessionmaker

from cloud.doses.models import DoseOccurrence
from cloud.ingest.service import IngestService, RawMessage
from shared.enums import DoseSource, DoseStatus
from shared.envelope import make_envelope
from shared.kinds import Kind
from shared.topics import up_topic
from tests.support.services import Mosquitto
from tests.sync.support import (
    fleet_dose_event,
    register_devices,
    running_worker,
    stored_facts,
    wait_until,
)

LATE = timedelta(minutes=50)


@pytest.mark.parametrize("taken_first", [True, False])
def test_a_taken_and_a_missed_in_one_batch_leave_the_dose_taken(
    sessions: sessionmaker[Session], taken_first: bool
) -> None:
    register_devices(sessions, ["batch-1"])
    due = fleet_dose_event("batch-1", 0).due_at
    taken = fleet_dose_event("batch-1", 0, status=DoseStatus.LATE, decided_at=due + LATE)
    missed = fleet_dose_event(
        "batch-1",
        0,
        status=DoseStatus.MISSED,
        source=DoseSource.TIMEOUT,
        decided_at=due + timedelta(hours=2),
    )
    bodies = [taken, missed] if taken_first else [missed, taken]
    topic = up_topic("batch-1", Kind.DOSE_EVENT)
    batch = [
        RawMessage("batch-1", make_envelope("batch-1", seq, body).to_json(), topic)
        for seq, body in enumerate(bodies)
    ]
    other = fleet_dose_event("batch-1", 1)
    batch.append(RawMessage("batch-1", make_envelope("batch-1", 9, other).to_json(), topic))

    with sessions() as db:
        result = IngestService(db).ingest_raw(batch)
        assert len(result.stored) == 3
        decided = db.get(DoseOccurrence, taken.occurrence_id)
        single = db.get(DoseOccurrence, other.occurrence_id)

    assert decided is not None and decided.status is DoseStatus.LATE
    assert single is not None and single.status is DoseStatus.ON_TIME


def test_decisions_arriving_out_of_order_and_repeated_over_mqtt_keep_the_first(
    sessions: sessionmaker[Session], broker: Mosquitto
) -> None:
    register_devices(sessions, ["order-1"])
    due = fleet_dose_event("order-1", 0).due_at
    taken = fleet_dose_event("order-1", 0, decided_at=due + timedelta(minutes=4))
    skipped = fleet_dose_event(
        "order-1", 0, status=DoseStatus.SKIPPED, decided_at=due + timedelta(minutes=9)
    )
    first = make_envelope("order-1", 1, taken, sent_at=taken.decided_at).to_json()
    second = make_envelope("order-1", 2, skipped, sent_at=skipped.decided_at).to_json()
    topic = up_topic("order-1", Kind.DOSE_EVENT)
    device = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="order-1")
    device.connect("127.0.0.1", broker.port)
    device.loop_start()
    try:
        with running_worker(sessions, broker.url):
            for payload in (second, first, second, first):
                device.publish(topic, payload, qos=1).wait_for_publish(10)
            wait_until(lambda: stored_facts(sessions)[0] == 2, 30, "both decisions stored")
    finally:
        device.disconnect()
        device.loop_stop()

    with sessions() as db:
        occurrence = db.get(DoseOccurrence, taken.occurrence_id)
    assert occurrence is not None and occurrence.status is DoseStatus.ON_TIME
    assert stored_facts(sessions) == (2, 2, 2), "each decision logged once"
