"""The agent's core: one event queue and two timer heaps (wall time and monotonic time).

Hardware callbacks and other threads `post()` events; the reminder engine sets timers at wall
instants (`call_at`), short things at monotonic offsets (`call_later`). With a `VirtualClock` the
clock drives `run_due()`; with the real clock `run_forever()` waits on a condition until the next
deadline or event, so an idle agent uses no CPU. The wait is capped because the wall clock can be
stepped forward while we sleep (NTP); the cap bounds how late a reminder can be after such a jump.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import math
import threading
from collections import deque
from collections.abc import Callable
from datetime import datetime, timedelta

from edge_agent.clock import Clock, VirtualClock

log = logging.getLogger(__name__)

MAX_WAIT_S = 30.0

Callback = Callable[[], None]


class TimerHandle:
    """A scheduled callback; `cancel()` stops it from running."""

    __slots__ = ("callback", "cancelled")

    def __init__(self, callback: Callback) -> None:
        self.callback = callback
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True


class EventLoop:
    """Runs posted events and due timers in order, on one thread at a time."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._cond = threading.Condition()
        self._events: deque[Callback] = deque()
        self._wall: list[tuple[datetime, int, TimerHandle]] = []
        self._mono: list[tuple[float, int, TimerHandle]] = []
        self._counter = itertools.count()
        self._stopped = False
        self._running = threading.Lock()
        # The thread in `run_forever()`, if any (see `stop()`).
        self._runner: int | None = None
        if isinstance(clock, VirtualClock):
            clock.attach(self)

    @property
    def clock(self) -> Clock:
        return self._clock

    def post(self, callback: Callback) -> None:
        """Queue `callback` to run on the loop (safe from any thread)."""
        with self._cond:
            self._events.append(callback)
            self._cond.notify()

    def call_at(self, when: datetime, callback: Callback) -> TimerHandle:
        """Run `callback` once the wall clock reaches `when`."""
        handle = TimerHandle(callback)
        with self._cond:
            heapq.heappush(self._wall, (when, next(self._counter), handle))
            self._cond.notify()
        return handle

    def call_later(self, seconds: float, callback: Callback) -> TimerHandle:
        """Run `callback` after `seconds` of monotonic time (immune to wall-clock jumps)."""
        handle = TimerHandle(callback)
        with self._cond:
            due = self._clock.monotonic() + seconds
            heapq.heappush(self._mono, (due, next(self._counter), handle))
            self._cond.notify()
        return handle

    def next_deadline(self) -> datetime | None:
        """Wall-time equivalent of the earliest event or live timer (now if events wait)."""
        with self._cond:
            self._drop_cancelled()
            now = self._clock.now()
            if self._events:
                return now
            candidates = [self._wall[0][0]] if self._wall else []
            if self._mono:
                ahead = self._mono[0][0] - self._clock.monotonic()
                # Round up: the timer must be due once the clock reaches this instant.
                candidates.append(now + timedelta(microseconds=math.ceil(ahead * 1e6)))
            return min(candidates) if candidates else None

    def run_due(self) -> None:
        """Run every queued event, then every due timer, until nothing is due."""
        with self._running:
            while (callback := self._take_next()) is not None:
                try:
                    callback()
                except Exception:
                    # The loop must outlive a bad handler: log it and keep reminding.
                    log.exception("event handler failed")

    def run_forever(self) -> None:
        """Run until `stop()`: sleep on a condition until the next deadline or posted event."""
        self._runner = threading.get_ident()
        try:
            while True:
                self.run_due()
                with self._cond:
                    if self._stopped:
                        return
                    if self._events:
                        continue
                    self._cond.wait(self._wait_seconds())
        finally:
            self._runner = None

    def stop(self) -> None:
        """Make `run_forever()` return (safe from any thread, and from a signal handler)."""
        if threading.get_ident() == self._runner:
            # A signal handler runs on the loop's own thread wherever it was interrupted, maybe
            # between its check of `_stopped` and its wait, holding the (reentrant) lock: a
            # notify from here would reach nobody. Another thread gets the lock only once this
            # one waits (or is done), so its notify cannot be lost.
            threading.Thread(target=self._set_stopped, name="loop-stop").start()
            return
        self._set_stopped()

    def _set_stopped(self) -> None:
        with self._cond:
            self._stopped = True
            self._cond.notify_all()
        if isinstance(self._clock, VirtualClock):
            self._clock.detach(self)

    def _wait_seconds(self) -> float:
        wait = MAX_WAIT_S
        if self._wall:
            wait = min(wait, (self._wall[0][0] - self._clock.now()).total_seconds())
        if self._mono:
            wait = min(wait, self._mono[0][0] - self._clock.monotonic())
        return max(wait, 0.0)

    def _drop_cancelled(self) -> None:
        while self._wall and self._wall[0][2].cancelled:
            heapq.heappop(self._wall)
        while self._mono and self._mono[0][2].cancelled:
            heapq.heappop(self._mono)

    def _take_next(self) -> Callback | None:
        with self._cond:
            if self._events:
                return self._events.popleft()
            self._drop_cancelled()
            now, mono = self._clock.now(), self._clock.monotonic()
            wall_due = bool(self._wall) and self._wall[0][0] <= now
            mono_due = bool(self._mono) and self._mono[0][0] <= mono
            if wall_due and mono_due:
                # Both due: run the one that fell due first.
                wall_late = (now - self._wall[0][0]).total_seconds()
                mono_due = mono - self._mono[0][0] >= wall_late
                wall_due = not mono_due
            if mono_due:
                return heapq.heappop(self._mono)[2].callback
            if wall_due:
                return heapq.heappop(self._wall)[2].callback
            return None
