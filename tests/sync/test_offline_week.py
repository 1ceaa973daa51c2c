"""A device that was offline for a week catches up in order and runs the newer plan."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from cloud.devices.models import Device
from cloud.ingest.models import IngestedMessage
from cloud.mqtt.plan_publisher import MqttPlanPublisher
from edge_agent.sync.runner import start_sync
from shared.enums import Button
from tests.edge_agent.factories import build_device, local, make_item, make_plan
from tests.support.services import Mosquitto
from tests.sync.support import (
    Recorder,
    adopt_plans,
    mqtt_settings,
    register_devices,
    running_worker,
    sync_settings,
    wait_until,
)

DEVICE = "week-1"


def test_a_week_offline_arrives_in_order_and_the_retained_newer_plan_is_applied(
    sessions: sessionmaker[Session], broker: Mosquitto, tmp_path: Path
) -> None:
    register_devices(sessions, [DEVICE])
    item = make_item(times=["08:00", "20:00"])
    plan_v1 = make_plan(item, version=1)
    plan_v2 = make_plan(
        item, make_item("Ramipril", times=["12:00"]), version=2, plan_id=plan_v1.plan_id
    )
    adopt_plans(sessions, DEVICE, plan_v1, plan_v2)
    device = build_device(
        tmp_path / DEVICE, local(2026, 6, 1, 7, 0), plan=plan_v1, device_id=DEVICE
    )
    uplink = Recorder(broker.url, f"medmind/v1/devices/{DEVICE}/up/#")
    publisher = MqttPlanPublisher(mqtt_settings(broker.url))
    settings = sync_settings(broker.url)
    with running_worker(sessions, broker.url, simulated_time=True):
        online = start_sync(device.agent, device.store, settings)
        wait_until(lambda: device.store.outbox_depth() == 0, 30, "plan v1's plan_applied ack")
        online.stop()

        # A week without network: morning doses taken by button, evening doses missed.
        for day in range(7):
            device.advance_to(local(2026, 6, 1 + day, 8, 5))
            device.press(Button.TAKEN)
        device.advance_to(local(2026, 6, 8, 7, 0))
        backlog = device.store.outbox_depth()
        publisher.publish(DEVICE, plan_v2)

        back = start_sync(device.agent, device.store, settings)
        try:
            wait_until(lambda: device.store.current_plan().version == 2, 30, "plan v2 to apply")
            wait_until(lambda: device.store.outbox_depth() == 0, 60, "the backlog to be acked")
            with sessions() as db:
                wait_until(
                    lambda: db.scalar(select(Device.plan_version_applied)) == 2,
                    30,
                    "the cloud to record plan v2 on the device",
                )
        finally:
            back.stop()
            publisher.close()
    uplink.close()

    seqs = [json.loads(payload)["seq"] for _, payload in uplink.messages]
    first_seen = list(dict.fromkeys(seqs))
    assert backlog >= 7 + 7 + 7, "a week should leave taken, missed and alert messages"
    assert first_seen == sorted(first_seen), "the backlog arrived out of order"
    assert first_seen == list(range(len(first_seen))), "a sequence number is missing"
    with sessions() as db:
        stored = db.scalar(select(func.count()).select_from(IngestedMessage))
    assert stored == len(first_seen)
