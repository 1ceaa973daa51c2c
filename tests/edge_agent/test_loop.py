"""The core event loop on the virtual and the real clock."""

from __future__ import annotations

import signal
import threading
from datetime import datetime, timedelta

from edge_agent.clock import RealClock, VirtualClock
from edge_agent.loop import EventLoop
from tests.edge_agent.factories import local


def test_virtual_advance_runs_timers_in_deadline_order_at_their_time() -> None:
    clock = VirtualClock(local(2026, 6, 1, 8, 0))
    loop = EventLoop(clock)
    seen: list[tuple[str, float]] = []
    start = clock.now()

    def note(name: str) -> None:
        seen.append((name, (clock.now() - start).total_seconds()))

    loop.call_at(start + timedelta(seconds=30), lambda: note("wall 30"))
    loop.call_later(10.5, lambda: note("mono 10.5"))
    loop.call_at(start + timedelta(seconds=5), lambda: note("wall 5"))
    clock.advance(29)
    assert seen == [("wall 5", 5.0), ("mono 10.5", 10.5)]
    clock.advance(1)
    assert seen[-1] == ("wall 30", 30.0)


def test_cancelled_timer_does_not_run() -> None:
    clock = VirtualClock(local(2026, 6, 1, 8, 0))
    loop = EventLoop(clock)
    ran: list[str] = []
    handle = loop.call_later(1, lambda: ran.append("x"))
    handle.cancel()
    clock.advance(2)
    assert ran == []
    assert loop.next_deadline() is None


def test_wall_jump_runs_wall_timers_but_not_monotonic_ones() -> None:
    clock = VirtualClock(local(2026, 6, 1, 8, 0))
    loop = EventLoop(clock)
    ran: list[str] = []
    loop.call_at(local(2026, 6, 1, 9, 0), lambda: ran.append("wall"))
    loop.call_later(60, lambda: ran.append("mono"))
    clock.jump(local(2026, 6, 1, 10, 0))
    assert ran == ["wall"]
    assert clock.monotonic() == 0.0
    clock.advance(60)
    assert ran == ["wall", "mono"]


def test_a_failing_handler_does_not_stop_the_loop() -> None:
    clock = VirtualClock(local(2026, 6, 1, 8, 0))
    loop = EventLoop(clock)
    ran: list[str] = []

    def broken() -> None:
        raise RuntimeError("bad handler")

    loop.post(broken)
    loop.post(lambda: ran.append("after"))
    clock.advance(0)
    assert ran == ["after"]


def test_real_loop_wakes_for_posted_events_and_stops() -> None:
    loop = EventLoop(RealClock())
    done = threading.Event()
    worker = threading.Thread(target=loop.run_forever)
    worker.start()
    loop.post(done.set)
    assert done.wait(timeout=5), "posted event did not run"
    loop.stop()
    worker.join(timeout=5)
    assert not worker.is_alive()


class _SignalOnRead(RealClock):
    """A real clock that raises SIGUSR1 on the reading thread at its n-th read from now."""

    def __init__(self) -> None:
        self.reads_until_signal = 0

    def now(self) -> datetime:
        if self.reads_until_signal > 0:
            self.reads_until_signal -= 1
            if self.reads_until_signal == 0:
                signal.raise_signal(signal.SIGUSR1)
        return super().now()


def test_stop_from_a_signal_handler_just_before_the_loop_waits_still_ends_it() -> None:
    # The loop reads the clock with its lock held right before it sleeps; a SIGTERM handler
    # that runs there (on the same thread) used to notify nobody, and the loop slept on.
    clock = _SignalOnRead()
    loop = EventLoop(clock)
    loop.call_at(clock.now() + timedelta(hours=1), lambda: None)
    previous = signal.signal(signal.SIGUSR1, lambda signum, frame: loop.stop())
    watchdog = threading.Timer(10, loop.stop)
    try:
        # Read 1: looking for due timers; read 2: computing the wait, after the stop check.
        clock.reads_until_signal = 2
        watchdog.start()
        loop.run_forever()
        assert watchdog.is_alive(), "stop() from the signal handler was lost: the loop slept on"
    finally:
        watchdog.cancel()
        signal.signal(signal.SIGUSR1, previous)
