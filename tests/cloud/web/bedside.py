"""A simulated bedside device for a web test's patient: registered, given a plan through the
plan service (which publishes it, retained, to the broker), and running the real edge agent."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from cloud.patients.models import Patient
from cloud.plans.schemas import PlanItemIn, PlanVersionIn
from cloud.plans.service import PlanService
from cloud.users.models import User
from firmware_sim.device import DeviceOptions, VirtualDevice
from firmware_sim.stack import LocalCloud
from tests.cloud.factories import CloudFactory
from tests.cloud.web.factories import late_morning_zone
from tests.firmware_sim.conftest import clear_retained

PLAN_TIMEOUT_S = 20.0
SYNC_TIMEOUT_S = 20.0


@dataclass
class CareCircle:
    """A patient with a caregiver and a doctor who can sign in."""

    patient: Patient
    caregiver: User
    doctor: User

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.patient.timezone)


def care_circle(factory: CloudFactory, now: datetime) -> CareCircle:
    """A patient living where it is late morning, and the two people linked to them."""
    patient = factory.patient(timezone=late_morning_zone(now))
    return CareCircle(patient, factory.caregiver(patient), factory.doctor(patient))


def in_minutes(circle: CareCircle, now: datetime, minutes: int) -> str:
    """The patient's wall time `minutes` from now, as a plan writes it."""
    return (now.astimezone(circle.zone) + timedelta(minutes=minutes)).strftime("%H:%M")


def metformin(circle: CareCircle, now: datetime, times: list[str]) -> PlanItemIn:
    today = now.astimezone(circle.zone).date()
    return PlanItemIn(
        medication_name="Metformin", dose=500, unit="mg", times_of_day=times, start_date=today
    )


@contextmanager
def bedside(
    *,
    cloud: LocalCloud,
    db: Session,
    workdir: Path,
    circle: CareCircle,
    items: list[PlanItemIn],
    now: datetime,
) -> Iterator[VirtualDevice]:
    """The patient's device, started at `now` on its virtual clock, running plan version 1."""
    assert cloud.mqtt_url is not None, "the cloud has not started"
    broker_url = cloud.mqtt_url
    device_id = CloudFactory(db).device(circle.patient).device_id
    PlanService(db).save_version(circle.patient.id, PlanVersionIn(items=items), now=now)
    device = VirtualDevice(
        device_id,
        workdir / device_id,
        start=now,
        broker_url=broker_url,
        options=DeviceOptions(timezone=circle.patient.timezone, heartbeat_interval_s=3600),
    )
    try:
        device.start()
        assert device.wait_for_plan(1, PLAN_TIMEOUT_S), "the device did not get its plan"
        # The store has the plan before the agent has scheduled it (both under the agent's
        # lock): moving the clock before that would skip the plan's first reminders.
        with device.agent.lock:
            device.advance(0)
        yield device
    finally:
        device.close()
        clear_retained(broker_url, [device_id])


def settle(device: VirtualDevice) -> None:
    """Everything the device has made is stored in the cloud (and acked)."""
    assert device.wait_synced(SYNC_TIMEOUT_S), f"{device.outbox_depth()} messages unacked"
