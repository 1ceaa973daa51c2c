"""The device's clock, injected everywhere: the real one, or a virtual one that tests move.

Wall time (`now()`, aware UTC) is what doses are due at; it can jump when NTP corrects a device
without a real-time clock. Monotonic time (`monotonic()`) never jumps and times short things
(button holds, debounce, buzzer chirps). `VirtualClock.advance()` runs every timer that falls due
on the way, in order, on the caller's thread, so a simulated week runs in seconds without sleeping.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Protocol, runtime_checkable

_TICK = timedelta(microseconds=1)


@runtime_checkable
class Clock(Protocol):
    """What the agent asks of a clock."""

    def now(self) -> datetime:
        """Current wall time, aware, in UTC."""
        ...

    def monotonic(self) -> float:
        """Seconds on a clock that never jumps (only differences mean anything)."""
        ...


class TimerHost(Protocol):
    """Something holding timers that a virtual clock drives (the agent's event loop)."""

    def next_deadline(self) -> datetime | None:
        """Wall-time equivalent of the earliest pending timer or event, None if there is none."""
        ...

    def run_due(self) -> None:
        """Run every posted event and every timer that is due now."""
        ...


class RealClock:
    """The system clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    def monotonic(self) -> float:
        return time.monotonic()


class VirtualClock:
    """A clock that moves only when told to, and runs the attached hosts' timers as it goes."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("VirtualClock needs an aware start time")
        self._now = start.astimezone(UTC)
        self._monotonic = 0.0
        self._hosts: list[TimerHost] = []
        self._lock = threading.RLock()

    def now(self) -> datetime:
        return self._now

    def monotonic(self) -> float:
        return self._monotonic

    def attach(self, host: TimerHost) -> None:
        """Let `advance()` drive this host's timers."""
        with self._lock:
            self._hosts.append(host)

    def detach(self, host: TimerHost) -> None:
        """Stop driving this host (after its agent closed)."""
        with self._lock:
            if host in self._hosts:
                self._hosts.remove(host)

    def advance(self, seconds: float) -> None:
        """Move forward by `seconds`, running every timer due on the way in deadline order."""
        if seconds < 0:
            raise ValueError(f"cannot advance by a negative {seconds} s (use jump())")
        self.advance_to(self._now + timedelta(seconds=seconds))

    def advance_to(self, target: datetime) -> None:
        """Move forward to `target` (aware), running every timer due on the way in order."""
        target = target.astimezone(UTC)
        if target < self._now:
            raise ValueError(f"cannot advance backwards to {target} from {self._now}")
        with self._lock:
            self._run_hosts()
            while (deadline := self._earliest()) is not None and deadline <= target:
                # Always move at least a microsecond, so a deadline between two representable
                # instants cannot stall the loop.
                self._step_to(max(deadline, self._now + _TICK))
                self._run_hosts()
            self._step_to(target)
            self._run_hosts()

    def jump(self, target: datetime) -> None:
        """Set the wall clock to `target` at once, as NTP does; monotonic time does not move."""
        with self._lock:
            self._now = target.astimezone(UTC)
            self._run_hosts()

    def _step_to(self, moment: datetime) -> None:
        self._monotonic += (moment - self._now).total_seconds()
        self._now = moment

    def _earliest(self) -> datetime | None:
        deadlines = [d for host in list(self._hosts) if (d := host.next_deadline()) is not None]
        return min(deadlines) if deadlines else None

    def _run_hosts(self) -> None:
        for host in list(self._hosts):
            host.run_due()
