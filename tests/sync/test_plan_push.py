"""Flow 2: a plan change in the cloud reaches the device retained, is applied, and the cloud
records which version the device runs."""

from __future__ import annotations

import threading
import time
import uuid
from datetime import UTC, date, datetime
from pathlib import Path

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from cloud.db.seed import DemoSeeder
from cloud.devices.models import Device
from cloud.devices.schemas import DeviceIn, DeviceUpdate
from cloud.devices.service import DeviceService
from cloud.mqtt.plan_publisher import plan_publishing
from cloud.patients.models import Patient
from cloud.plans.schemas import PlanItemIn, PlanVersionIn
from cloud.plans.service import PlanService
from edge_agent.sync.runner import start_sync
from shared.envelope import parse_envelope
from shared.kinds import Kind
from shared.plan import MedicationPlan
from shared.topics import down_topic
from tests.edge_agent.factories import build_device, local
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
    register_devices(sessions, [DEVICE])  # its patient has version 1 of a plan
    device = build_device(tmp_path / DEVICE, local(2026, 6, 1, 7, 0), device_id=DEVICE)
    with running_worker(sessions, broker.url), plan_publishing(broker.url):
        _new_version(sessions, ["08:00"])  # the device is not connected yet: retained
        running = start_sync(device.agent, device.store, sync_settings(broker.url))
        try:
            wait_until(lambda: _applied(sessions) == 2, 30, "the device to run version 2")
            _new_version(sessions, ["08:00", "20:00"])
            wait_until(lambda: _applied(sessions) == 3, 30, "the device to run version 3")
        finally:
            running.stop()

    plan = device.store.current_plan()
    assert plan is not None and plan.version == 3
    assert plan.items[0].times_of_day == ["08:00", "20:00"]


def _retained_plan(broker: Mosquitto, device_id: str) -> MedicationPlan | None:
    """The plan retained on the device's `down/plan`, as a device subscribing now gets it."""
    got: list[bytes | bytearray] = []
    subscribed = threading.Event()
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"probe-{uuid.uuid4().hex}")
    client.on_message = lambda c, u, message: got.append(message.payload)
    client.on_subscribe = lambda *args: subscribed.set()
    client.connect("127.0.0.1", broker.port)
    client.loop_start()
    try:
        client.subscribe(down_topic(device_id, Kind.PLAN), qos=1)
        assert subscribed.wait(10), "no SUBACK"
        # The broker sends retained messages right after the SUBACK; allow it a moment.
        deadline = time.monotonic() + 2
        while not got and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        client.disconnect()
        client.loop_stop()
    return parse_envelope(bytes(got[0])).body.plan if got else None


def _patient_with_plan(sessions: sessionmaker[Session]) -> tuple[uuid.UUID, int]:
    with sessions() as db:
        patient = Patient(full_name="Ada Example", timezone="Europe/Berlin")
        db.add(patient)
        db.commit()
        plan = PlanService(db).save_version(patient.id, PlanVersionIn(items=[METFORMIN]))
        return patient.id, plan.version


METFORMIN = PlanItemIn(
    medication_name="Metformin",
    dose=500,
    unit="mg",
    times_of_day=["08:00"],
    start_date=date(2026, 1, 1),
)


def test_a_registered_device_finds_its_patients_plan_retained(
    sessions: sessionmaker[Session], broker: Mosquitto
) -> None:
    patient, version = _patient_with_plan(sessions)
    with plan_publishing(broker.url), sessions() as db:
        DeviceService(db).register(DeviceIn(device_id="new-1", patient_id=patient))

    plan = _retained_plan(broker, "new-1")
    assert plan is not None and plan.patient_id == patient and plan.version == version


def test_a_reprovisioned_device_finds_its_patients_plan_retained(
    sessions: sessionmaker[Session], broker: Mosquitto
) -> None:
    patient, _ = _patient_with_plan(sessions)
    with sessions() as db:  # registered while nothing published plans
        DeviceService(db).register(DeviceIn(device_id="old-1", patient_id=patient))
    assert _retained_plan(broker, "old-1") is None

    with plan_publishing(broker.url), sessions() as db:
        device = DeviceService(db).by_device_id("old-1")
        assert device is not None
        DeviceService(db).provision(device)

    plan = _retained_plan(broker, "old-1")
    assert plan is not None and plan.patient_id == patient


def test_a_device_moved_to_another_patient_gets_that_patients_plan(
    sessions: sessionmaker[Session], broker: Mosquitto
) -> None:
    first, _ = _patient_with_plan(sessions)
    second, _ = _patient_with_plan(sessions)
    with plan_publishing(broker.url), sessions() as db:
        device = DeviceService(db).register(DeviceIn(device_id="moved-1", patient_id=first))
        DeviceService(db).update(device, DeviceUpdate(patient_id=second))

    plan = _retained_plan(broker, "moved-1")
    assert plan is not None and plan.patient_id == second


def test_the_api_start_publishes_the_plan_of_every_seeded_device(
    sessions: sessionmaker[Session], broker: Mosquitto
) -> None:
    with sessions() as db:
        DemoSeeder(db, now=datetime.now(UTC)).run()
        device_ids = list(
            db.scalars(select(Device.device_id).where(Device.patient_id.is_not(None)))
        )
    assert device_ids

    with plan_publishing(broker.url, sessions):
        wait_until(
            lambda: all(_retained_plan(broker, d) is not None for d in device_ids),
            30,
            "every seeded device's plan to be retained",
        )
