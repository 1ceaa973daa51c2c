"""The application heartbeat: every interval, while connected, a `heartbeat` through the outbox.

It rides the agent's event loop (`call_later` on monotonic time), so a virtual clock drives it
like every other timer. No heartbeat is made while the broker is unreachable: a backlog of
"I was alive" messages tells the cloud nothing the backlog itself does not.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from edge_agent.clock import Clock
from edge_agent.store import Store
from edge_agent.sync.settings import SyncSettings
from shared.messages import HeartbeatBody


class TimerScheduler(Protocol):
    def call_later(self, seconds: float, callback: Callable[[], None]) -> object: ...


class Heartbeat:
    """Enqueues a heartbeat every `settings.heartbeat_interval_s` while `is_connected()`."""

    def __init__(
        self,
        scheduler: TimerScheduler,
        store: Store,
        clock: Clock,
        settings: SyncSettings,
        *,
        is_connected: Callable[[], bool],
        clock_synced: Callable[[], bool] = lambda: True,
        voice_models: Callable[[], list[str]] = list,
    ) -> None:
        self._scheduler = scheduler
        self._store = store
        self._clock = clock
        self._settings = settings
        self._is_connected = is_connected
        self._clock_synced = clock_synced
        self._voice_models = voice_models
        self._started_at = clock.monotonic()
        self._stopped = False

    def start(self) -> None:
        """Schedule the first heartbeat one interval from now."""
        self._scheduler.call_later(self._settings.heartbeat_interval_s, self._beat)

    def stop(self) -> None:
        """Make no further heartbeats."""
        self._stopped = True

    def body(self) -> HeartbeatBody:
        """What the device would report right now."""
        plan = self._store.current_plan()
        return HeartbeatBody(
            uptime_s=max(0.0, self._clock.monotonic() - self._started_at),
            outbox_depth=self._store.outbox_depth(),
            plan_version=plan.version if plan else None,
            software_version=self._settings.software_version,
            clock_synced=self._clock_synced(),
            last_ack_at=self._store.last_ack_at(),
            voice_models=self._voice_models(),
        )

    def _beat(self) -> None:
        if self._stopped:
            return
        if self._is_connected():
            self._store.enqueue(self.body())
        self._scheduler.call_later(self._settings.heartbeat_interval_s, self._beat)
