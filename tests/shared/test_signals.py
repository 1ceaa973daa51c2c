"""SIGTERM and Ctrl-C end long-running commands without deadlocking their main thread."""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Iterator

import pytest

from shared.signals import TERMINATING_SIGNALS, stop_on_termination


@pytest.fixture
def restored_handlers() -> Iterator[None]:
    previous = {sig: signal.getsignal(sig) for sig in TERMINATING_SIGNALS}
    yield
    for sig, handler in previous.items():
        signal.signal(sig, handler)


@pytest.mark.parametrize("sig", TERMINATING_SIGNALS, ids=lambda s: signal.Signals(s).name)
def test_signal_sets_the_stop_event_the_main_thread_waits_on(
    sig: signal.Signals, restored_handlers: None
) -> None:
    stop = threading.Event()
    stopped_on: list[threading.Thread] = []

    def record_and_stop() -> None:
        stopped_on.append(threading.current_thread())
        stop.set()

    stop_on_termination(record_and_stop)
    os.kill(os.getpid(), sig)
    assert stop.wait(timeout=10), f"{signal.Signals(sig).name} did not end the wait"
    assert stopped_on[0] is not threading.main_thread(), (
        "the stop callback ran inside the signal handler on the main thread, where it can "
        "deadlock on a lock that thread holds"
    )
