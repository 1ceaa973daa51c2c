"""A sliding-window limit on failed logins, per email and per client address.

Kept in process memory: each API process limits on its own, which bounds guessing to
`limit x processes` per window, enough for a handful of stateless API replicas.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable


class LoginRateLimiter:
    """Counts failures per key within `window_s`; a key over `limit` is refused until they age."""

    def __init__(
        self, limit: int, window_s: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limit = limit
        self.window_s = window_s
        self.clock = clock
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        failures = self._failures.setdefault(key, deque())
        while failures and failures[0] <= now - self.window_s:
            failures.popleft()
        return failures

    def retry_after(self, *keys: str) -> float | None:
        """Seconds until a blocked key may try again, or None if none of `keys` is blocked."""
        now = self.clock()
        with self._lock:
            waits = [
                failures[0] + self.window_s - now
                for key in keys
                if len(failures := self._recent(key, now)) >= self.limit
            ]
        return max(waits) if waits else None

    def record_failure(self, *keys: str) -> None:
        """Count one failed attempt against each key."""
        now = self.clock()
        with self._lock:
            for key in keys:
                self._recent(key, now).append(now)

    def reset(self, *keys: str) -> None:
        """Forget the failures of keys (after a successful login)."""
        with self._lock:
            for key in keys:
                self._failures.pop(key, None)
