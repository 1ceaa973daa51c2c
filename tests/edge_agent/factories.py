"""Factories for edge tests: plans, items, and a device harness on the virtual clock."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from edge_agent.agent import Agent
from edge_agent.clock import VirtualClock
from edge_agent.config import EdgeSettings, GpioSettings, ReminderPolicy
from edge_agent.hardware import Hardware, make_pin_factory
from edge_agent.speaker import VirtualSpeaker
from edge_agent.store import OccurrenceRecord
from edge_agent.store import occurrences as occ
from shared.enums import Button
from shared.envelope import Envelope, parse_envelope
from shared.plan import MedicationPlan, PlanItem

BERLIN = ZoneInfo("Europe/Berlin")
PLAN_START = date(2026, 1, 1)
HAND_PAUSE_S = 0.1


def make_item(
    name: str = "Metformin", times: list[str] | None = None, **overrides: Any
) -> PlanItem:
    values: dict[str, Any] = {
        "item_id": uuid.uuid4(),
        "medication_name": name,
        "dose": 500.0,
        "unit": "mg",
        "start_date": PLAN_START,
    }
    if overrides.get("as_needed"):
        values["times_of_day"] = []
    else:
        values["times_of_day"] = times if times is not None else ["08:00", "20:00"]
    values.update(overrides)
    return PlanItem(**values)


def make_plan(
    *items: PlanItem,
    version: int = 1,
    plan_id: uuid.UUID | None = None,
    timezone: str = "Europe/Berlin",
) -> MedicationPlan:
    return MedicationPlan(
        plan_id=plan_id or uuid.uuid4(),
        patient_id=uuid.uuid4(),
        version=version,
        timezone=timezone,
        items=list(items) or [make_item()],
    )


def local(
    year: int,
    month: int,
    day: int,
    hour: int,
    minute: int = 0,
    *,
    second: int = 0,
    zone: ZoneInfo = BERLIN,
    fold: int = 0,
) -> datetime:
    """A local wall time in Berlin (or `zone`) as an aware UTC instant."""
    wall = datetime(year, month, day, hour, minute, second, tzinfo=zone, fold=fold)
    return wall.astimezone(UTC)


@dataclass
class Device:
    """A real agent on MockFactory pins, a virtual clock and a virtual speaker."""

    agent: Agent
    clock: VirtualClock
    speaker: VirtualSpeaker
    hardware: Hardware
    settings: EdgeSettings
    spoken_before: int = field(default=0)

    @property
    def store(self) -> Any:
        return self.agent.store

    def advance(self, seconds: float) -> None:
        self.clock.advance(seconds)

    def advance_to(self, moment: datetime) -> None:
        self.clock.advance_to(moment)

    def press(self, button: Button, down_s: float = 0.2) -> None:
        """Press and release a button through its mock pin, then pause as a hand would."""
        pin = self.hardware.button_pin(button)
        pin.drive_low()
        self.clock.advance(down_s)
        pin.drive_high()
        self.clock.advance(HAND_PAUSE_S)

    def hold(self, button: Button, seconds: float) -> None:
        self.press(button, down_s=seconds)

    def said_since(self, mark: int) -> list[str]:
        return self.speaker.said[mark:]

    def mark(self) -> int:
        return len(self.speaker.said)

    def occurrences(
        self, where: str = "1 = 1", params: list[Any] | None = None
    ) -> list[OccurrenceRecord]:
        with self.store.transaction() as db:
            return occ.select(db, where, params)

    def outbox(self, kind: str | None = None) -> list[Envelope[Any]]:
        messages = [parse_envelope(m.payload) for m in self.store.outbox_batch(10_000)]
        return [m for m in messages if kind is None or m.kind.value == kind]

    def transitions(self) -> list[tuple[str, str, str]]:
        rows = self.store.query("SELECT from_state, to_state, event FROM transitions ORDER BY id")
        return [(r["from_state"], r["to_state"], r["event"]) for r in rows]


def build_device(
    data_dir: Path,
    start: datetime,
    *,
    policy: ReminderPolicy | None = None,
    plan: MedicationPlan | None = None,
    clock: VirtualClock | None = None,
    **settings_overrides: Any,
) -> Device:
    clock = clock or VirtualClock(start)
    settings = EdgeSettings(
        data_dir=data_dir,
        timezone="Europe/Berlin",
        gpio=GpioSettings(pin_factory="mock"),
        reminders=policy or ReminderPolicy(),
        **settings_overrides,
    )
    hardware = Hardware(settings.gpio, make_pin_factory("mock"), settings.reminders.debounce_ms)
    speaker = VirtualSpeaker(clock)
    agent = Agent(settings, clock=clock, speaker=speaker, hardware=hardware)
    if plan is not None:
        agent.store.apply_plan(plan)
    agent.start()
    return Device(agent, clock, speaker, hardware, settings)
