"""Runs a virtual clock alongside real time, `speed` times faster, on a thread of its own.

Every `step_s` of real time the driver advances the clock by `speed` times the real time that
passed, under the device's time lock, so the agent's timers fire in order on this thread. Other
code that needs a short, exact stretch of virtual time (a button press lasts a tenth of a second
whatever the speed) takes the same lock and advances the clock itself meanwhile.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from edge_agent.clock import VirtualClock

DEFAULT_STEP_S = 0.05


class ClockDriver:
    """Advances `clock` by `speed` times elapsed real time every `step_s`, until `stop()`."""

    def __init__(
        self,
        clock: VirtualClock,
        time_lock: threading.RLock,
        *,
        speed: float = 1.0,
        step_s: float = DEFAULT_STEP_S,
        on_step: Callable[[], None] | None = None,
    ) -> None:
        if speed < 0:
            raise ValueError(f"speed must not be negative, got {speed}")
        self.clock = clock
        self.time_lock = time_lock
        self.speed = speed
        self.step_s = step_s
        self.on_step = on_step
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sim-clock", daemon=True)

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """Stop advancing (the clock keeps the time it reached)."""
        self._stop.set()
        if self._thread.is_alive() and threading.current_thread() is not self._thread:
            self._thread.join(timeout=10)

    def _run(self) -> None:
        last = time.monotonic()
        while not self._stop.wait(self.step_s):
            now = time.monotonic()
            elapsed, last = now - last, now
            if self.speed > 0:
                with self.time_lock:
                    self.clock.advance(elapsed * self.speed)
            if self.on_step is not None:
                self.on_step()
