"""Ending a long-running command on SIGTERM or Ctrl-C, safely.

A Python signal handler runs on the main thread at whatever point it interrupted, possibly
while that thread holds the lock inside a `threading.Event`, `Condition` or queue wait. Setting
that same event from the handler then deadlocks (the lock is not reentrant) or notifies before
the thread waits (the wake-up is lost). The handler installed here only starts a thread that
runs the stop callback, so the callback takes its locks like any other thread.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from types import FrameType

TERMINATING_SIGNALS = (signal.SIGTERM, signal.SIGINT)


def stop_on_termination(stop: Callable[[], None]) -> None:
    """Call `stop()` on its own thread when the process gets SIGTERM or SIGINT."""

    def handler(signum: int, frame: FrameType | None) -> None:
        threading.Thread(target=stop, name=f"stop-on-{signal.Signals(signum).name}").start()

    for sig in TERMINATING_SIGNALS:
        signal.signal(sig, handler)
