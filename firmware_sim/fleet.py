"""Many virtual devices at once, for load: `medmind sim fleet` and `bench/ingest.py`.

Every device is a full `VirtualDevice` (real agent, store, outbox and MQTT sync) with its own
patient's plan. All devices share one virtual clock, driven at `speed` times real time, so their
reminders fire on one timeline. Each simulated patient has a temperament: diligent ones answer
within minutes, forgetful ones answer late or not at all, so the traffic mixes on-time, late and
missed doses with their alerts.

    with Fleet(broker_url, devices=50, speed=600, root=tmp) as fleet:
        fleet.run_for(60, report=print)
        print(fleet.stats())
"""

from __future__ import annotations

import heapq
import itertools
import random
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from edge_agent.clock import VirtualClock
from firmware_sim.clock_driver import ClockDriver
from firmware_sim.device import DeviceOptions, VirtualDevice
from firmware_sim.plans import random_plan
from firmware_sim.stack import LocalCloud
from shared.enums import Button
from shared.plan import MedicationPlan

# Real seconds between clock steps (and between looks for new reminders to answer).
STEP_S = 0.2
ZONES = ("Europe/Berlin", "Europe/London", "America/New_York", "Asia/Tokyo", "UTC")


@dataclass(frozen=True)
class Temperament:
    """How a simulated patient answers reminders."""

    name: str
    answers: float  # chance of pressing taken for a dose at all
    delay_minutes: tuple[float, float]  # how long after the reminder, uniformly

    def press_delay(self, rng: random.Random) -> timedelta | None:
        if rng.random() >= self.answers:
            return None
        return timedelta(minutes=rng.uniform(*self.delay_minutes))


TEMPERAMENTS = (
    Temperament("diligent", 0.98, (0.5, 5)),
    Temperament("relaxed", 0.9, (2, 40)),
    Temperament("forgetful", 0.6, (10, 100)),
)


@dataclass(frozen=True)
class FleetStats:
    """Traffic so far: messages the devices made, how many the cloud acked, connections."""

    devices: int
    connected: int
    made: int
    acked: int
    waiting: int
    simulated: datetime

    def line(self) -> str:
        return (
            f"{self.simulated:%a %d %b %H:%M} UTC  devices {self.connected}/{self.devices} online"
            f"  messages {self.made}  acked {self.acked}  waiting {self.waiting}"
        )


class Fleet:
    """`devices` virtual devices on one clock, pressing buttons by temperament."""

    def __init__(
        self,
        broker_url: str,
        *,
        devices: int,
        speed: float,
        root: Path,
        start: datetime | None = None,
        seed: int = 0,
        prefix: str | None = None,
        heartbeat_interval_s: float = 900.0,
    ) -> None:
        self.rng = random.Random(seed)
        self.speed = speed
        self.clock = VirtualClock(start or datetime.now(UTC).replace(microsecond=0))
        self.time_lock = threading.RLock()
        prefix = prefix or f"fleet-{uuid.uuid4().hex[:6]}"
        self.devices: list[VirtualDevice] = []
        self.plans: dict[str, MedicationPlan] = {}
        self.temperaments: dict[str, Temperament] = {}
        self._presses: list[tuple[datetime, int, VirtualDevice]] = []
        self._counter = itertools.count()
        self._seen: set[str] = set()
        self._lock = threading.Lock()
        for number in range(devices):
            device_id = f"{prefix}-{number:04d}"
            zone = self.rng.choice(ZONES)
            device = VirtualDevice(
                device_id,
                root / device_id,
                start=self.clock.now(),
                broker_url=broker_url,
                options=DeviceOptions(timezone=zone, heartbeat_interval_s=heartbeat_interval_s),
                clock=self.clock,
                time_lock=self.time_lock,
            )
            today = self.clock.now().astimezone(ZoneInfo(zone)).date()
            self.plans[device_id] = random_plan(self.rng, uuid.uuid4(), zone, today)
            self.temperaments[device_id] = self.rng.choice(TEMPERAMENTS)
            self.devices.append(device)
        self.driver = ClockDriver(
            self.clock, self.time_lock, speed=speed, step_s=STEP_S, on_step=self._act
        )

    @property
    def device_ids(self) -> list[str]:
        return [device.device_id for device in self.devices]

    def start(self) -> Fleet:
        """Boot every device with its plan, then let time run."""
        for device in self.devices:
            device.start(self.plans[device.device_id])
        self.driver.start()
        return self

    def stop(self) -> None:
        self.driver.stop()
        for device in self.devices:
            device.close()

    def __enter__(self) -> Fleet:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stats(self) -> FleetStats:
        made = waiting = connected = 0
        for device in self.devices:
            device_made, device_waiting = device.message_counts()
            made += device_made
            waiting += device_waiting
            connected += int(device.connected)
        return FleetStats(
            devices=len(self.devices),
            connected=connected,
            made=made,
            acked=made - waiting,
            waiting=waiting,
            simulated=self.clock.now(),
        )

    def run_for(
        self,
        seconds: float,
        report: Callable[[FleetStats], None] | None = None,
        every_s: float = 1.0,
    ) -> FleetStats:
        """Let the fleet run `seconds` of real time, reporting its stats every `every_s`."""
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            time.sleep(min(every_s, left))
            if report is not None:
                report(self.stats())
        return self.stats()

    def _act(self) -> None:
        """After each clock step: plan a press for every new reminder, make the due presses."""
        now = self.clock.now()
        for device in self.devices:
            for record in device.agent.engine.reminded_doses():
                key = f"{device.device_id}/{record.occurrence_id}"
                if key in self._seen:
                    continue
                self._seen.add(key)
                delay = self.temperaments[device.device_id].press_delay(self.rng)
                if delay is not None:
                    entry = (record.due_at + delay, next(self._counter), device)
                    heapq.heappush(self._presses, entry)
        while self._presses and self._presses[0][0] <= now:
            _, _, device = heapq.heappop(self._presses)
            device.press(Button.TAKEN)


def register_fleet(cloud: LocalCloud, fleet: Fleet) -> None:
    """Make a patient per device and register the device, through the REST API."""
    from firmware_sim.people import bootstrap_admin

    admin = bootstrap_admin(cloud)
    try:
        for device in fleet.devices:
            plan = fleet.plans[device.device_id]
            patient = admin.create_patient(f"Patient of {device.device_id}", plan.timezone)
            admin.register_device(device.device_id, patient["id"])
    finally:
        admin.close()
