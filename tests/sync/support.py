"""Helpers for the sync tests: cloud rows, ingest workers (thread or process), device fleets."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from cloud.broker_auth.passwords import mosquitto_hash
from cloud.devices.models import Device, DeviceCredential
from cloud.doses.models import DoseEventLog
from cloud.ingest.models import DeadLetter, IngestedMessage
from cloud.ingest.settings import IngestSettings
from cloud.ingest.worker import IngestWorker
from cloud.mqtt.settings import MqttSettings
from cloud.patients.models import Patient
from cloud.plans.models import MedicationPlan as StoredPlan
from cloud.plans.models import MedicationPlanItem as StoredPlanItem
from edge_agent.clock import RealClock
from edge_agent.store import Store
from edge_agent.sync.client import DeviceSync
from edge_agent.sync.settings import SyncSettings
from shared.enums import DoseSource, DoseStatus
from shared.messages import CommandBody, DoseEventBody
from shared.plan import MedicationPlan, PlanItem
from shared.schedule import occurrence_id, resolve_local
from tests.support.paths import REPO_ROOT

SERVICE_USER = "medmind-cloud"
SERVICE_PASSWORD = "service-secret-for-tests"

# Mosquitto tuned for ingest: many unacked messages per subscriber, deep queues.
FLEET_NAMESPACE = uuid.UUID("0d8f3b7c-2a41-4e55-9c1b-6e0f5a7d9b31")
FLEET_START = datetime.now(UTC).date() - timedelta(days=60)
INGEST_BROKER_CONFIG = "max_inflight_messages 1000\nmax_queued_messages 100000\n"


def wait_until(condition: Callable[[], bool], timeout_s: float, what: str) -> None:
    """Poll `condition` (network and database state) until true; fail naming `what`."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout_s:.0f} s waiting for {what}")


def fleet_plan(device_id: str) -> MedicationPlan:
    """The plan `register_devices` stores for the device's patient: one item due every hour
    (UTC) since 60 days ago, every id derived from the device id so devices know it offline."""
    return MedicationPlan(
        plan_id=uuid.uuid5(FLEET_NAMESPACE, f"{device_id}/plan"),
        patient_id=uuid.uuid5(FLEET_NAMESPACE, f"{device_id}/patient"),
        version=1,
        timezone="UTC",
        items=[
            PlanItem(
                item_id=uuid.uuid5(FLEET_NAMESPACE, f"{device_id}/item"),
                medication_name="Metformin",
                dose=500.0,
                unit="mg",
                times_of_day=[f"{hour:02d}:00" for hour in range(24)],
                start_date=FLEET_START,
            )
        ],
    )


def fleet_dose_event(device_id: str, n: int, **overrides: Any) -> DoseEventBody:
    """A valid decision about the `n`-th hourly dose of the device's fleet plan (taken when
    due unless overridden)."""
    plan = fleet_plan(device_id)
    item = plan.items[0]
    day = FLEET_START + timedelta(days=n // 24)
    slot = item.times_of_day[n % 24]
    due = resolve_local(day, slot, plan.zone)
    fields: dict[str, Any] = {
        "occurrence_id": occurrence_id(item.item_id, day, slot),
        "plan_id": plan.plan_id,
        "plan_version": plan.version,
        "item_id": item.item_id,
        "medication_name": item.medication_name,
        "local_date": day,
        "slot": slot,
        "due_at": due,
        "status": DoseStatus.ON_TIME,
        "decided_at": due,
        "source": DoseSource.BUTTON,
    }
    fields.update(overrides)
    return DoseEventBody(**fields)


def register_devices(
    sessions: sessionmaker[Session],
    device_ids: list[str],
    *,
    passwords: dict[str, str] | None = None,
) -> None:
    """A patient with its fleet plan and a device row per id (with broker credentials when a
    password is given)."""
    with sessions() as db:
        for device_id in device_ids:
            plan = fleet_plan(device_id)
            patient = Patient(
                id=plan.patient_id, full_name=f"Patient of {device_id}", timezone="Europe/Berlin"
            )
            db.add(patient)
            db.flush()
            _store_plan(db, plan)
            device = Device(device_id=device_id, patient_id=patient.id)
            db.add(device)
            db.flush()
            if passwords and device_id in passwords:
                db.add(
                    DeviceCredential(
                        device_pk=device.id,
                        username=device_id,
                        password_hash="argon2-not-used-by-the-broker",
                        broker_password_hash=mosquitto_hash(passwords[device_id]),
                    )
                )
        db.commit()


def adopt_plans(sessions: sessionmaker[Session], device_id: str, *plans: MedicationPlan) -> None:
    """Store plans a device was given by a test as its patient's (the last one current), so
    the cloud accepts the doses the device reports from them."""
    with sessions() as db:
        device = db.scalars(select(Device).where(Device.device_id == device_id)).one()
        assert device.patient_id is not None
        for stored in db.scalars(
            select(StoredPlan).where(StoredPlan.patient_id == device.patient_id)
        ):
            stored.is_current = False
        db.flush()
        for n, plan in enumerate(plans, start=1):
            _store_plan(db, plan, patient_id=device.patient_id, current=n == len(plans))
        db.commit()


def _store_plan(
    db: Session, plan: MedicationPlan, *, patient_id: uuid.UUID | None = None, current: bool = True
) -> None:
    version = StoredPlan(
        patient_id=patient_id or plan.patient_id,
        plan_id=plan.plan_id,
        version=plan.version,
        timezone=plan.timezone,
        is_current=current,
        issued_at=datetime.now(UTC),
    )
    db.add(version)
    db.flush()
    for item in plan.items:
        values = item.model_dump(exclude={"days_of_week"})
        db.add(StoredPlanItem(plan_version_id=version.id, days_of_week=[], **values))


def count(sessions: sessionmaker[Session], model: type[object]) -> int:
    """Rows in the table of `model`."""
    with sessions() as db:
        return int(db.scalar(select(func.count()).select_from(model)) or 0)  # type: ignore[arg-type]


def stored_facts(sessions: sessionmaker[Session]) -> tuple[int, int, int]:
    """(ingested message ids, distinct dose events, dose event rows)."""
    with sessions() as db:
        ids = db.scalar(select(func.count()).select_from(IngestedMessage)) or 0
        distinct = db.scalar(select(func.count(func.distinct(DoseEventLog.message_id)))) or 0
        rows = db.scalar(select(func.count()).select_from(DoseEventLog)) or 0
    return int(ids), int(distinct), int(rows)


def dead_letter_reasons(sessions: sessionmaker[Session]) -> list[str]:
    with sessions() as db:
        return list(db.scalars(select(DeadLetter.reason).order_by(DeadLetter.received_at)))


def mqtt_settings(broker_url: str, **overrides: object) -> MqttSettings:
    values: dict[str, object] = {
        "url": broker_url,
        "username": SERVICE_USER,
        "password": SERVICE_PASSWORD,
    }
    values.update(overrides)
    return MqttSettings(**values)  # type: ignore[arg-type]


@contextlib.contextmanager
def running_worker(
    sessions: sessionmaker[Session],
    broker_url: str,
    worker_id: str = "w1",
    *,
    simulated_time: bool = False,
    **mqtt_overrides: object,
) -> Iterator[IngestWorker]:
    """An ingest worker on a thread, subscribed before this yields. With `simulated_time` it
    accepts device times however far from the real clock (devices on a virtual clock)."""
    ingest = IngestSettings(worker_id=worker_id)
    if simulated_time:
        ingest = IngestSettings(
            worker_id=worker_id, fact_max_age_days=36_500, clock_max_lead_s=100 * 366 * 86_400
        )
    worker = IngestWorker(sessions, mqtt_settings(broker_url, **mqtt_overrides), ingest)
    stop = threading.Event()
    thread = threading.Thread(target=worker.run, args=(stop,), daemon=True)
    thread.start()
    assert worker.ready.wait(10), "the ingest worker did not subscribe"
    try:
        yield worker
    finally:
        stop.set()
        thread.join(10)


def start_worker_process(
    database_url: str, broker_url: str, worker_id: str, log_path: Path
) -> subprocess.Popen[bytes]:
    """`medmind cloud ingest` in a child process (so a test can SIGKILL it)."""
    env = dict(
        os.environ,
        MEDMIND_DATABASE_URL=database_url,
        MEDMIND_MQTT_URL=broker_url,
        MEDMIND_MQTT_USERNAME=SERVICE_USER,
        MEDMIND_MQTT_PASSWORD=SERVICE_PASSWORD,
        MEDMIND_ENVIRONMENT="development",
    )
    return subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from shared.cli import main; main()",
            "cloud",
            "ingest",
            "--worker-id",
            worker_id,
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log_path.open("ab"),
    )


def start_device_process(
    data_dir: Path, device_id: str, broker_url: str, *, crash_on_press: bool = False
) -> subprocess.Popen[bytes]:
    """`tests/sync/device_main.py`: a real agent with sync, in its own process."""
    command = [
        sys.executable,
        "-m",
        "tests.sync.device_main",
        "--data-dir",
        str(data_dir),
        "--device-id",
        device_id,
        "--broker-url",
        broker_url,
    ]
    if crash_on_press:
        command.append("--crash-on-press")
    repo_root = REPO_ROOT
    return subprocess.Popen(
        command, cwd=repo_root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


def sigkill(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGKILL)
    process.wait(10)


class IgnoreDownlinks:
    """A downlink handler for devices that only publish."""

    def __init__(self) -> None:
        self.plans: list[MedicationPlan] = []

    def on_plan(self, plan: MedicationPlan) -> None:
        self.plans.append(plan)

    def on_command(self, command: CommandBody) -> None:
        """Commands are not part of these tests."""


@dataclass
class SimulatedDevice:
    """A real device store and sync, with no reminder engine: tests write its outbox."""

    device_id: str
    store: Store
    sync: DeviceSync
    downlinks: IgnoreDownlinks = field(default_factory=IgnoreDownlinks)
    doses_made: int = 0

    def enqueue_dose_events(self, n: int) -> None:
        with self.store.transaction():
            for _ in range(n):
                self.store.enqueue(fleet_dose_event(self.device_id, self.doses_made))
                self.doses_made += 1


def sync_settings(broker_url: str, **overrides: object) -> SyncSettings:
    values: dict[str, object] = {
        "broker_url": broker_url,
        "ack_timeout_s": 3.0,
        "backoff_base_s": 0.2,
        "backoff_cap_s": 1.0,
    }
    values.update(overrides)
    return SyncSettings(**values)  # type: ignore[arg-type]


@contextlib.contextmanager
def device_fleet(
    root: Path, device_ids: list[str], broker_url: str, **sync_overrides: object
) -> Iterator[list[SimulatedDevice]]:
    """One store + sync per device id (not started); all stopped and closed afterwards."""
    devices = []
    for device_id in device_ids:
        store = Store(root / f"{device_id}.sqlite3", device_id=device_id, clock=RealClock())
        downlinks = IgnoreDownlinks()
        sync = DeviceSync(device_id, store, downlinks, sync_settings(broker_url, **sync_overrides))
        store.add_outbox_listener(sync.wake)
        devices.append(SimulatedDevice(device_id, store, sync, downlinks))
    try:
        yield devices
    finally:
        for device in devices:
            device.sync.stop(timeout_s=2)
            device.store.close()


def outboxes_empty(devices: list[SimulatedDevice]) -> bool:
    return all(device.store.outbox_depth() == 0 for device in devices)


class Recorder:
    """A plain subscriber that records (topic, payload) in arrival order."""

    def __init__(self, broker_url: str, topic_filter: str, **login: str) -> None:
        from urllib.parse import urlsplit

        parts = urlsplit(broker_url)
        self.messages: list[tuple[str, bytes]] = []
        self._lock = threading.Lock()
        self.client = mqtt.Client(
            CallbackAPIVersion.VERSION2, client_id=f"recorder-{uuid.uuid4().hex[:8]}"
        )
        if login:
            self.client.username_pw_set(login["username"], login["password"])
        self.client.on_message = self._on_message
        subscribed = threading.Event()
        self.client.on_subscribe = lambda *args: subscribed.set()
        self.client.connect(parts.hostname or "127.0.0.1", parts.port or 1883)
        self.client.subscribe(topic_filter, qos=1)
        self.client.loop_start()
        assert subscribed.wait(10), "recorder could not subscribe"

    def _on_message(self, client: mqtt.Client, userdata: object, message: mqtt.MQTTMessage) -> None:
        with self._lock:
            self.messages.append((message.topic, bytes(message.payload)))

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()
