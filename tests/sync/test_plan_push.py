"""Flow 2: a plan change in the cloud reaches the device retained, is applied, and the cloud
records which version the device runs."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from cloud.devices.models import Device
from cloud.mqtt.plan_publisher import plan_publishing
from cloud.plans.schemas import PlanItemIn, PlanVersionIn
from cloud.plans.service import PlanService
from edge_agent.sync.runner import start_sync
from tests.edge.factories import build_device, local
from tests.support.services import Mosquitto
from tests.sync.support import register_devices, running_worker, sync_settings, wait_until

DEVICE = "push-1"


def _new_version(sessions: sessionmaker[Session], times: list[str]) -> None:
    spec = PlanVersionIn(
        timezone="Europe/Berlin",
        items=[
            PlanItemIn(
                medication_name="Metformin",
                dose=500,
                unit="mg",
                times_of_day=times,
                start_date=date(2026, 1, 1),
            )
        ],
    )
    with sessions() as db:
        patient_id = db.scalar(select(Device.patient_id).where(Device.device_id == DEVICE))
        assert patient_id is not None
        PlanService(db).save_version(patient_id, spec)


def _applied(sessions: sessionmaker[Session]) -> int | None:
    with sessions() as db:
        return db.scalar(select(Device.plan_version_applied).where(Device.device_id == DEVICE))


def test_a_plan_change_is_pushed_retained_applied_and_recorded(
    sessions: sessionmaker[Session], broker: Mosquitto, tmp_path: Path
) -> None:
    register_devices(sessions, [DEVICE])
    device = build_device(tmp_path / DEVICE, local(2026, 6, 1, 7, 0), device_id=DEVICE)
    with running_worker(sessions, broker.url), plan_publishing(broker.url):
        _new_version(sessions, ["08:00"])  # the device is not connected yet: retained
        running = start_sync(device.agent, device.store, sync_settings(broker.url))
        try:
            wait_until(lambda: _applied(sessions) == 1, 30, "the device to run version 1")
            _new_version(sessions, ["08:00", "20:00"])
            wait_until(lambda: _applied(sessions) == 2, 30, "the device to run version 2")
        finally:
            running.stop()

    plan = device.store.current_plan()
    assert plan is not None and plan.version == 2
    assert plan.items[0].times_of_day == ["08:00", "20:00"]
