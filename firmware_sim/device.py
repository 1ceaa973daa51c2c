"""A virtual bedside device: the real `edge_agent` on simulated hardware.

What is simulated and how:

- GPIO: gpiozero MockFactory pins (one private pin set per device, so many devices can share a
  process); presses drive the button pins low and high like a finger would.
- Time: a `VirtualClock`, advanced by the caller (scenarios, tests) or by a `ClockDriver` at
  real speed or N times faster (console, demo, fleet).
- Speaker: the edge agent's `VirtualSpeaker`, which keeps every utterance (and its WAV if asked).
- Network: the device reaches the broker through a `LinkProxy`, which can be cut and restored.

Everything else is the production code path: the agent, its SQLite store and outbox, the
reminder engine, the MQTT sync with its heartbeats, acks and retained plans.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from gpiozero.pins.mock import MockFactory

from edge_agent.agent import Agent
from edge_agent.clock import VirtualClock
from edge_agent.config import EdgeSettings, GpioSettings, ReminderPolicy
from edge_agent.hardware import Hardware, LedStatus
from edge_agent.speaker import EspeakSynthesizer, SpokenUtterance, VirtualSpeaker
from edge_agent.store import OccurrenceRecord
from edge_agent.store import occurrences as occ
from edge_agent.sync.runner import RunningSync, start_sync
from edge_agent.sync.settings import SyncSettings
from firmware_sim.clock_driver import ClockDriver
from firmware_sim.link import LinkProxy
from firmware_sim.voice import VoiceDriver
from shared.enums import Button
from shared.plan import MedicationPlan

# A press lasts this long on the virtual clock (well past debounce, well short of any hold).
PRESS_S = 0.2
# Virtual seconds between one press and the next, at the least.
PRESS_GAP_S = 0.3
# Real seconds a sync wait sleeps between looks at the outbox.
POLL_S = 0.02


class PrivateMockFactory(MockFactory):  # type: ignore[misc]
    """MockFactory whose pins belong to this instance alone.

    gpiozero's MockFactory keeps its pins in a class-wide dict, so two simulated devices in one
    process would share GPIO 17 and a press on one would press the other.
    """

    def __init__(self) -> None:
        super().__init__()
        self.pins: dict[Any, Any] = {}


@dataclass(frozen=True)
class DoseLine:
    """One dose as the console and the demo show it."""

    when: datetime
    label: str
    state: str


@dataclass(frozen=True)
class DeviceSnapshot:
    """What a person looking at the device (and its status page) would see right now."""

    device_id: str
    local_time: datetime
    led: LedStatus
    buzzing: bool
    due: tuple[DoseLine, ...]
    upcoming: tuple[DoseLine, ...]
    outbox_depth: int
    connected: bool
    link_up: bool
    plan_version: int | None


@dataclass(frozen=True)
class DeviceOptions:
    """How a virtual device is set up; defaults suit an interactive session."""

    timezone: str = "UTC"
    reminders: ReminderPolicy | None = None
    heartbeat_interval_s: float = 300.0
    ack_timeout_s: float = 10.0
    backoff_base_s: float = 0.2
    backoff_cap_s: float = 2.0
    synthesize_speech: bool = False


class VirtualDevice:
    """One simulated device. Methods are safe to call from any thread."""

    def __init__(
        self,
        device_id: str,
        data_dir: Path,
        *,
        start: datetime,
        broker_url: str | None = None,
        options: DeviceOptions | None = None,
        clock: VirtualClock | None = None,
        time_lock: threading.RLock | None = None,
    ) -> None:
        """`clock` and `time_lock` are shared when several devices live on one timeline."""
        self.device_id = device_id
        self.options = options or DeviceOptions()
        self.clock = clock or VirtualClock(start)
        self.time_lock = time_lock or threading.RLock()
        self.link: LinkProxy | None = None
        self.settings = EdgeSettings(
            device_id=device_id,
            timezone=self.options.timezone,
            data_dir=data_dir,
            reminders=self.options.reminders or ReminderPolicy(),
            gpio=GpioSettings(pin_factory="mock"),
            broker=self._sync_settings(broker_url),
        )
        synthesizer = (
            EspeakSynthesizer(self.settings.audio.espeak_voice)
            if self.options.synthesize_speech
            else None
        )
        self.speaker = VirtualSpeaker(self.clock, synthesizer)
        self.pins = PrivateMockFactory()
        self.hardware = Hardware(self.settings.gpio, self.pins, self.settings.reminders.debounce_ms)
        self.agent = Agent(
            self.settings, clock=self.clock, speaker=self.speaker, hardware=self.hardware
        )
        self.sync: RunningSync | None = None
        self.driver: ClockDriver | None = None
        self._voice: VoiceDriver | None = None

    def _sync_settings(self, broker_url: str | None) -> SyncSettings | None:
        if broker_url is None:
            return None
        parts = urlsplit(broker_url)
        self.link = LinkProxy(parts.hostname or "127.0.0.1", parts.port or 1883)
        return SyncSettings(
            broker_url=self.link.url,
            heartbeat_interval_s=self.options.heartbeat_interval_s,
            ack_timeout_s=self.options.ack_timeout_s,
            backoff_base_s=self.options.backoff_base_s,
            backoff_cap_s=self.options.backoff_cap_s,
        )

    # -- lifecycle -------------------------------------------------------------------------

    def start(self, plan: MedicationPlan | None = None) -> None:
        """Boot the agent (with `plan` already installed, if given) and connect it."""
        with self.time_lock:
            if plan is not None:
                self.agent.store.apply_plan(plan)
            self.agent.start()
            if self.settings.broker is not None:
                self.sync = start_sync(self.agent, self.agent.store, self.settings.broker)

    def run_clock(self, speed: float, on_step: Callable[[], None] | None = None) -> ClockDriver:
        """Let time flow by itself at `speed` times real time (0 pauses it)."""
        if self.driver is not None:
            self.driver.speed = speed
            return self.driver
        self.driver = ClockDriver(self.clock, self.time_lock, speed=speed, on_step=on_step)
        self.driver.start()
        return self.driver

    def close(self) -> None:
        """Stop the clock, the sync and the agent; release pins and the link."""
        if self.driver is not None:
            self.driver.stop()
        if self._voice is not None:
            self._voice.close()
        if self.sync is not None:
            self.sync.stop()
        with self.time_lock:
            self.agent.close()
        if self.link is not None:
            self.link.close()

    def power_off(self) -> None:
        """Pull the plug: the connection dies mid-air (no goodbye, so the broker publishes the
        device's Last Will), then the process is gone. What was stored survives on disk; a new
        `VirtualDevice` on the same data directory is the device powered on again."""
        self.cut_network()
        self.close()

    def __enter__(self) -> VirtualDevice:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- time ------------------------------------------------------------------------------

    def advance(self, seconds: float) -> None:
        """Move the device's time forward, running every reminder due on the way."""
        with self.time_lock:
            self.clock.advance(seconds)

    def advance_to(self, moment: datetime) -> None:
        """Move the device's time forward to `moment` (no-op if it is already there)."""
        with self.time_lock:
            if moment > self.clock.now():
                self.clock.advance_to(moment)

    def local_now(self) -> datetime:
        return self.agent.local_now()

    # -- the patient's hands ---------------------------------------------------------------

    def press(self, button: Button) -> None:
        """A short press: the pin goes low, stays down a fifth of a second, goes high."""
        self._push(button, PRESS_S)

    def hold(self, button: Button, seconds: float | None = None) -> None:
        """Keep `button` down for `seconds` (default: just past its hold threshold)."""
        threshold = self.agent.buttons.hold_threshold(button) or 1.0
        self._push(button, threshold + 0.5 if seconds is None else seconds)

    def _push(self, button: Button, seconds: float) -> None:
        pin = self.hardware.button_pin(button)
        with self.time_lock:
            # A finger needs a moment between presses; edges closer than the debounce time
            # would be taken for contact bounce and dropped.
            self.clock.advance(PRESS_GAP_S)
            pin.drive_low()
            self.clock.advance(seconds)
            pin.drive_high()
            # Let the release edge run on the loop without moving time on.
            self.clock.advance(0)

    # -- the patient's voice ---------------------------------------------------------------

    def attach_voice(self, voice: VoiceDriver) -> None:
        """Use `voice` (see `firmware_sim.voice`) for `speak()`."""
        self._voice = voice

    def speak(self, text: str) -> None:
        """The patient says `text` to the device: talk button, then the microphone hears it."""
        if self._voice is None:
            raise RuntimeError("this device has no voice path attached (see firmware_sim.voice)")
        with self.time_lock:
            self._voice.say(self, text)

    # -- the network -----------------------------------------------------------------------

    def cut_network(self) -> None:
        """Pull the cable: the broker connection drops and reconnects fail until restored."""
        if self.link is not None:
            self.link.cut()

    def restore_network(self) -> None:
        if self.link is not None:
            self.link.restore()

    @property
    def network_up(self) -> bool:
        return self.link is not None and self.link.is_up

    @property
    def connected(self) -> bool:
        return self.sync is not None and self.sync.sync.connected.is_set()

    def wait_connected(self, timeout_s: float = 15.0) -> bool:
        """Block (real time) until the sync is connected to the broker."""
        if self.sync is None:
            return False
        return self.sync.sync.connected.wait(timeout_s)

    def wait_disconnected(self, timeout_s: float = 10.0) -> bool:
        """Block (real time) until the sync has noticed it lost the broker."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if not self.connected:
                return True
            time.sleep(POLL_S)
        return not self.connected

    def wait_synced(self, timeout_s: float = 30.0) -> bool:
        """Block (real time) until the cloud acked everything in the outbox."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.outbox_depth() == 0:
                return True
            time.sleep(POLL_S)
        return self.outbox_depth() == 0

    def wait_for_plan(self, version: int, timeout_s: float = 15.0) -> bool:
        """Block (real time) until the device runs plan `version` or newer."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if (self.plan_version() or 0) >= version:
                return True
            time.sleep(POLL_S)
        return False

    # -- what can be seen ------------------------------------------------------------------

    def outbox_depth(self) -> int:
        return self.agent.store.outbox_depth()

    def messages_made(self) -> int:
        """How many messages the device has put in its outbox since it was new."""
        return self.message_counts()[0]

    def message_counts(self) -> tuple[int, int]:
        """(messages made, messages waiting for an ack), read together in one statement."""
        return self.agent.store.message_counts()

    def plan_version(self) -> int | None:
        plan = self.agent.store.current_plan()
        return plan.version if plan else None

    def said(self) -> list[str]:
        """Everything the speaker said so far, in order."""
        return self.speaker.said

    def utterances(self) -> list[SpokenUtterance]:
        return list(self.speaker.utterances)

    def snapshot(self, upcoming: int = 4) -> DeviceSnapshot:
        """The device's visible state right now."""
        with self.agent.lock:
            now = self.clock.now()
            zone = self.agent.zone
            due = self.agent.engine.reminded_doses()
            with self.agent.store.transaction() as db:
                later = occ.pending_after(db, now)[:upcoming]
            buzzer = self.hardware.buzzer
            return DeviceSnapshot(
                device_id=self.device_id,
                local_time=now.astimezone(zone),
                led=self.hardware.status,
                buzzing=bool(buzzer is not None and buzzer.value),
                due=tuple(_line(record, zone) for record in due),
                upcoming=tuple(_line(record, zone) for record in later),
                outbox_depth=self.outbox_depth(),
                connected=self.connected,
                link_up=self.network_up,
                plan_version=self.plan_version(),
            )


def _line(record: OccurrenceRecord, zone: Any) -> DoseLine:
    return DoseLine(record.due_at.astimezone(zone), record.label, record.state.value)


@contextlib.contextmanager
def virtual_device(
    device_id: str,
    data_dir: Path,
    *,
    start: datetime,
    plan: MedicationPlan | None = None,
    broker_url: str | None = None,
    options: DeviceOptions | None = None,
) -> Iterator[VirtualDevice]:
    """A started device, closed on exit."""
    device = VirtualDevice(device_id, data_dir, start=start, broker_url=broker_url, options=options)
    try:
        device.start(plan)
        yield device
    finally:
        device.close()
