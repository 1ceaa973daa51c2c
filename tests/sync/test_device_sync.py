"""The device sync survives a failing downlink handler, keeps its outbox flowing and says when it
last caught up."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from cloud.mqtt.plan_publisher import MqttPlanPublisher
from edge_agent.clock import RealClock
from edge_agent.status import describe_status
from edge_agent.store import Store
from edge_agent.sync.client import DeviceSync
from edge_agent.sync.runner import start_sync
from shared.messages import CommandBody
from shared.plan import MedicationPlan
from tests.edge_agent.factories import build_device, local
from tests.edge_agent.factories import make_plan as make_device_plan
from tests.factories import make_plan
from tests.support.services import Mosquitto
from tests.sync.support import (
    adopt_plans,
    fleet_dose_event,
    mqtt_settings,
    register_devices,
    running_worker,
    stored_facts,
    sync_settings,
    wait_until,
)


class BrokenAgent:
    """An agent whose plan handling always fails."""

    def __init__(self) -> None:
        self.offered = 0

    def on_plan(self, plan: MedicationPlan) -> None:
        self.offered += 1
        raise RuntimeError("the plan could not be applied")

    def on_command(self, command: CommandBody) -> None:
        raise RuntimeError("commands fail too")


def test_a_failing_plan_handler_does_not_stop_the_sync(
    sessions: sessionmaker[Session], broker: Mosquitto, tmp_path: Path
) -> None:
    register_devices(sessions, ["broken-1"])
    publisher = MqttPlanPublisher(mqtt_settings(broker.url))
    publisher.publish("broken-1", make_plan())
    publisher.close()
    store = Store(tmp_path / "broken.sqlite3", device_id="broken-1", clock=RealClock())
    agent = BrokenAgent()
    sync = DeviceSync("broken-1", store, agent, sync_settings(broker.url))
    store.add_outbox_listener(sync.wake)
    with running_worker(sessions, broker.url):
        sync.start()
        try:
            wait_until(lambda: agent.offered == 1, 20, "the retained plan to be offered")
            store.enqueue(fleet_dose_event("broken-1", 0))
            wait_until(lambda: store.outbox_depth() == 0, 20, "the dose event to be acked")
        finally:
            sync.stop()
            store.close()

    assert stored_facts(sessions)[0] == 1


def test_status_shows_when_the_cloud_last_acknowledged_everything_the_device_made(
    sessions: sessionmaker[Session], broker: Mosquitto, tmp_path: Path
) -> None:
    register_devices(sessions, ["status-1"])
    plan = make_device_plan()
    adopt_plans(sessions, "status-1", plan)
    device = build_device(tmp_path, local(2026, 6, 1, 6, 0), plan=plan, device_id="status-1")
    assert device.store.outbox_depth() == 1, "the plan_applied report waits for the cloud"
    assert "last sync:     never" in describe_status(device.store, device.settings)

    with running_worker(sessions, broker.url):
        running = start_sync(device.agent, device.store, sync_settings(broker.url))
        try:
            wait_until(lambda: device.store.outbox_depth() == 0, 20, "the report to be acked")
        finally:
            running.stop()

    status = describe_status(device.store, device.settings)
    assert "last sync:     2026-06-01 06:00:00 CEST" in status, status
