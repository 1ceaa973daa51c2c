"""The agent core: wires clock, store, reminder engine, buttons, LED and speaker together.

Build it with injected parts (`Agent(settings, clock=..., speaker=..., hardware=...)`), call
`start()`, then either `run_forever()` with the real clock or advance a `VirtualClock`. Other
loops (sync, voice) talk to it through the thread-safe methods: `on_plan`, `on_command`,
`add_outbox_listener`, `set_online`, `set_listening`, `set_talk_handler`, `say` and `actions`.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from edge_agent.actions import Actions, DeviceContext
from edge_agent.buttons import ButtonInput
from edge_agent.clock import Clock
from edge_agent.clock_health import ClockHealth
from edge_agent.config import EdgeSettings
from edge_agent.hardware import Hardware, LedStatus
from edge_agent.loop import EventLoop, TimerHandle
from edge_agent.menu import AsNeededMenu
from edge_agent.phrases import announce_due
from edge_agent.reminders import ReminderEngine
from edge_agent.speaker import Speaker
from edge_agent.store import OccurrenceRecord, Store
from shared.enums import Button, CommandName, DoseSource
from shared.messages import CommandBody
from shared.plan import MedicationPlan

log = logging.getLogger(__name__)

BUZZ_S = 0.4


class Agent:
    """The device's brain. Handlers run on the event loop; public methods are thread-safe."""

    def __init__(
        self,
        settings: EdgeSettings,
        *,
        clock: Clock,
        speaker: Speaker,
        hardware: Hardware | None = None,
        store: Store | None = None,
    ) -> None:
        self.settings = settings
        self.clock = clock
        self.speaker = speaker
        self.hardware = hardware
        self.lock = threading.RLock()
        self.loop = EventLoop(clock)
        self.clock_health = ClockHealth(clock, settings.clock_floor)
        self.store = store or Store(
            settings.database_path,
            device_id=settings.device_id,
            clock=clock,
            horizon_days=settings.horizon_days,
            clock_synced=self.clock_health.synced,
        )
        self.clock_health.bind(self.store)
        self.engine = ReminderEngine(self.store, clock, settings.reminders)
        self.context = DeviceContext(
            lock=self.lock,
            store=self.store,
            engine=self.engine,
            clock=clock,
            home_zone=ZoneInfo(settings.timezone),
            snooze_minutes=settings.reminders.snooze_minutes,
            catch_up=self.catch_up,
            refresh=self.refresh,
        )
        self.actions = Actions(self.context)
        self.menu = AsNeededMenu(
            self.actions,
            say=self.say,
            loop=self.loop,
            timeout_s=settings.reminders.menu_timeout_s,
        )
        self.buttons = ButtonInput(self.loop, settings.reminders, self.press, self.hold)
        self._wake: TimerHandle | None = None
        self._online: bool | None = None
        self._listening = False
        self._talk_handler: Callable[[], None] | None = None
        self._sync_now: list[Callable[[], None]] = []
        self._emergency_listeners: list[Callable[[], None]] = []
        self._day: date | None = None
        self._closed = False
        if hardware is not None:
            hardware.on_edge(self._hardware_edge)

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> None:
        """Boot: extend the horizon, catch up with the clock, re-announce unanswered doses."""
        with self.lock:
            self.clock_health.observe()
            self.store.extend_horizon()
            self._day = self.local_now().date()
            outstanding = self.engine.reminded_doses()
            result = self.engine.tick()
            fresh = {r.occurrence_id for r in result.reminded}
            # A restart must not lose a reminder: doses already due are announced again.
            if outstanding and not fresh:
                self.say(announce_due(self.engine.reminded_doses(), again=True))
            self._after_tick(result.reminded)
            self.refresh()
            plan = self.store.current_plan()
            log.info(
                "agent started: device %s, plan version %s, outbox depth %d",
                self.settings.device_id,
                plan.version if plan else "none",
                self.store.outbox_depth(),
            )

    def run_forever(self) -> None:
        """Run the event loop on this thread until `stop()` (real clock)."""
        self.loop.run_forever()

    def stop(self) -> None:
        """Ask the loop to return (safe from a signal handler or another thread)."""
        self.loop.stop()

    def close(self) -> None:
        """Stop and release hardware, speaker and database."""
        self.stop()
        with self.lock:
            if self._closed:
                return
            self._closed = True
            if self._wake is not None:
                self._wake.cancel()
            if self.hardware is not None:
                self.hardware.close()
            self.speaker.close()
            self.store.close()

    # -- time ------------------------------------------------------------------------------

    @property
    def zone(self) -> ZoneInfo:
        """The patient's zone: the plan's, else the configured one."""
        return self.context.zone

    def local_now(self) -> datetime:
        return self.context.local_now()

    # -- inputs ----------------------------------------------------------------------------

    def press(self, button: Button) -> None:
        """A short press of `button`."""
        with self.lock:
            self.catch_up()
            log.info("button %s pressed", button.value)
            if self.menu.is_open and button in (Button.TAKEN, Button.SNOOZE):
                self.menu.press(button)
            elif button is Button.TAKEN:
                self.say(self.actions.take_due(DoseSource.BUTTON).text)
            elif button is Button.SNOOZE:
                self.say(self.actions.snooze_due().text)
            elif button is Button.TALK:
                self._talk()
            elif button is Button.HELP:
                self.say(self.actions.emergency("Help button pressed.").text)
            self.refresh()
        if button is Button.HELP:
            self._button_emergency()

    def hold(self, button: Button, seconds: float) -> None:
        """`button` has been held down for `seconds` (its hold threshold)."""
        with self.lock:
            self.catch_up()
            log.info("button %s held %.1f s", button.value, seconds)
            if button is Button.SNOOZE:
                result = self.actions.skip_due("skipped with the snooze button", DoseSource.BUTTON)
                self.say(result.text)
            elif button in (Button.TALK, Button.HELP):
                self.say(self.actions.emergency(f"{button.value} button held.").text)
            elif button is Button.TAKEN:
                self.menu.open()
            self.refresh()
        if button in (Button.TALK, Button.HELP):
            self._button_emergency()

    def on_plan(self, plan: MedicationPlan) -> bool:
        """A plan arrived (sync or REST); apply it if newer. Returns whether it was applied."""
        with self.lock:
            applied = self.store.apply_plan(plan)
            if applied:
                log.info("plan %s version %d applied", plan.plan_id, plan.version)
                self._day = self.local_now().date()
                self.catch_up()
                self.refresh()
            return applied

    def on_command(self, command: CommandBody) -> None:
        """A command from the cloud: say something now, or sync now."""
        with self.lock:
            if command.command is CommandName.SAY and command.text:
                self.say(command.text)
            elif command.command is CommandName.SYNC_NOW:
                for callback in list(self._sync_now):
                    callback()

    def add_outbox_listener(self, callback: Callable[[], None]) -> None:
        """Wake the sync loop whenever a committed transaction added to the outbox."""
        self.store.add_outbox_listener(callback)

    def add_emergency_listener(self, callback: Callable[[], None]) -> None:
        """Called (outside the agent's lock) after a button raised an emergency alert."""
        self._emergency_listeners.append(callback)

    def _button_emergency(self) -> None:
        for callback in list(self._emergency_listeners):
            callback()

    def add_sync_now_listener(self, callback: Callable[[], None]) -> None:
        """Called when the cloud asks for a sync now."""
        self._sync_now.append(callback)

    def set_online(self, online: bool) -> None:
        """The sync loop reports the broker connection (shown on the LED)."""
        with self.lock:
            self._online = online
            self._show_status()

    def set_listening(self, listening: bool) -> None:
        """The voice loop reports it is listening (shown on the LED)."""
        with self.lock:
            self._listening = listening
            self._show_status()

    def set_talk_handler(self, handler: Callable[[], None] | None) -> None:
        """What a short press of talk does (the voice loop starts listening; must not block)."""
        with self.lock:
            self._talk_handler = handler

    # -- outputs ---------------------------------------------------------------------------

    def say(self, text: str) -> None:
        """Speak `text`, quieter in quiet hours."""
        if not text:
            return
        audio = self.settings.audio
        quiet = audio.is_quiet(self.local_now().time())
        self.speaker.say(text, volume=audio.quiet_volume if quiet else audio.volume)

    def refresh(self) -> None:
        """Re-arm the wake timer for the next deadline and update the LED."""
        with self.lock:
            if self._wake is not None:
                self._wake.cancel()
            deadline = self.engine.next_deadline()
            midnight = self._next_midnight()
            when = midnight if deadline is None else min(deadline, midnight)
            self._wake = self.loop.call_at(when, self._on_wake)
            self._show_status()

    # -- internals -------------------------------------------------------------------------

    def _hardware_edge(self, button: Button, pressed: bool) -> None:
        # gpiozero calls this on its own thread: hand the edge to the loop.
        self.loop.post(lambda: self.buttons.edge(button, pressed))

    def _on_wake(self) -> None:
        with self.lock:
            self.catch_up()
            self.refresh()

    def catch_up(self) -> None:
        """Bring every occurrence up to the clock (missed, due, reminded again)."""
        self.clock_health.observe()
        today = self.local_now().date()
        if today != self._day:
            self._day = today
            self.store.extend_horizon()
        self._after_tick(self.engine.tick().reminded)

    def _after_tick(self, reminded: list[OccurrenceRecord]) -> None:
        if reminded:
            again = all(record.reminders_sent > 1 for record in reminded)
            self.say(announce_due(self.engine.reminded_doses(), again=again))
            self._chirp()

    def _chirp(self) -> None:
        if self.hardware is None:
            return
        hardware = self.hardware
        hardware.buzz(True)
        self.loop.call_later(BUZZ_S, lambda: hardware.buzz(False))

    def _talk(self) -> None:
        if self._talk_handler is None:
            self.say("Voice is not available. Hold the talk button to call for help.")
            return
        self._talk_handler()

    def _show_status(self) -> None:
        if self.hardware is None:
            return
        if self._listening:
            status = LedStatus.LISTENING
        elif self.engine.reminded_doses():
            status = LedStatus.DUE
        elif self._online is False:
            status = LedStatus.OFFLINE
        else:
            status = LedStatus.IDLE
        self.hardware.show(status)

    def _next_midnight(self) -> datetime:
        local = self.local_now()
        tomorrow = datetime.combine(local.date() + timedelta(days=1), time(0), tzinfo=self.zone)
        return tomorrow.astimezone(self.clock.now().tzinfo)
