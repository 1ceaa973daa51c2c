"""Every confirmed fact reaches the cloud exactly once, however often it travels."""

from __future__ import annotations

from pathlib import Path

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from sqlalchemy.orm import Session, sessionmaker

from tests.support.services import Mosquitto
from tests.sync.support import (
    Recorder,
    device_fleet,
    outboxes_empty,
    register_devices,
    running_worker,
    stored_facts,
    wait_until,
)


def test_twenty_devices_times_500_events_are_stored_exactly_once(
    sessions: sessionmaker[Session], broker: Mosquitto, tmp_path: Path
) -> None:
    device_ids = [f"fleet-{n:02d}" for n in range(20)]
    register_devices(sessions, device_ids)
    with (
        running_worker(sessions, broker.url),
        device_fleet(tmp_path, device_ids, broker.url) as devices,
    ):
        for device in devices:
            device.enqueue_dose_events(500)
            device.sync.start()
        wait_until(lambda: stored_facts(sessions)[0] >= 10_000, 120, "10,000 stored messages")
        wait_until(lambda: outboxes_empty(devices), 60, "every outbox to be acked empty")

    assert stored_facts(sessions) == (10_000, 10_000, 10_000)


def test_every_message_published_three_times_is_stored_once(
    sessions: sessionmaker[Session], broker: Mosquitto, tmp_path: Path
) -> None:
    device_ids = ["dup-1", "dup-2"]
    register_devices(sessions, device_ids)
    acks = Recorder(broker.url, "medmind/v1/devices/+/down/ack")
    with (
        running_worker(sessions, broker.url),
        device_fleet(tmp_path, device_ids, broker.url) as devices,
    ):
        flood = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="flood")
        flood.connect(broker.url.split(":")[1].strip("/"), broker.port)
        flood.loop_start()
        for device in devices:
            device.enqueue_dose_events(200)
            for _ in range(3):
                for row in device.store.outbox_batch(1000):
                    flood.publish(row.topic, row.payload, qos=1).wait_for_publish(5)
        wait_until(lambda: stored_facts(sessions)[0] >= 400, 60, "400 stored messages")
        for device in devices:
            device.sync.start()
        wait_until(lambda: outboxes_empty(devices), 60, "the devices' outboxes to empty")
        flood.disconnect()
        flood.loop_stop()
    acks.close()

    assert stored_facts(sessions) == (400, 400, 400)
    assert len(acks.messages) >= 2, "the cloud acked nothing back to the devices"


def test_devices_and_workers_may_speak_mqtt_5_where_the_broker_does(
    sessions: sessionmaker[Session], broker: Mosquitto, tmp_path: Path
) -> None:
    device_ids = ["v5-1", "v5-2"]
    register_devices(sessions, device_ids)
    with (
        running_worker(sessions, broker.url, protocol="5"),
        device_fleet(tmp_path, device_ids, broker.url, protocol="5") as devices,
    ):
        for device in devices:
            device.enqueue_dose_events(100)
            device.sync.start()
        wait_until(lambda: outboxes_empty(devices), 60, "every outbox to empty")

    assert stored_facts(sessions) == (200, 200, 200)
