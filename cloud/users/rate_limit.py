"""A sliding-window limit on failed logins, per email and per client address.

Kept in process memory: each API process limits on its own, which bounds guessing to
`limit x processes` per window, enough for a handful of stateless API replicas. Only keys with
recent failures are kept, and stale ones are swept as the table grows, so a stream of made-up
emails cannot grow the process without bound.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

# Sweep stale keys once the table has grown to this size (then to twice what survived).
SWEEP_FLOOR = 1024


class LoginRateLimiter:
    """Counts failures per key within `window_s`; a key over `limit` is refused until they age."""

    def __init__(
        self, limit: int, window_s: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limit = limit
        self.window_s = window_s
        self.clock = clock
        self._failures: dict[str, deque[float]] = {}
        self._sweep_at = SWEEP_FLOOR
        self._lock = threading.Lock()

    @property
    def tracked_keys(self) -> int:
        """How many keys are remembered (recent failures, not yet swept)."""
        with self._lock:
            return len(self._failures)

    def _recent(self, key: str, now: float) -> deque[float] | None:
        failures = self._failures.get(key)
        if failures is None:
            return None
        while failures and failures[0] <= now - self.window_s:
            failures.popleft()
        if not failures:
            del self._failures[key]
            return None
        return failures

    def retry_after(self, *keys: str) -> float | None:
        """Seconds until a blocked key may try again, or None if none of `keys` is blocked."""
        now = self.clock()
        with self._lock:
            waits = [
                failures[0] + self.window_s - now
                for key in keys
                if (failures := self._recent(key, now)) is not None and len(failures) >= self.limit
            ]
        return max(waits) if waits else None

    def record_failure(self, *keys: str) -> None:
        """Count one failed attempt against each key."""
        now = self.clock()
        with self._lock:
            for key in keys:
                failures = self._recent(key, now)
                if failures is None:
                    failures = self._failures[key] = deque()
                failures.append(now)
            if len(self._failures) >= self._sweep_at:
                for key in list(self._failures):
                    self._recent(key, now)
                self._sweep_at = max(SWEEP_FLOOR, 2 * len(self._failures))

    def reset(self, *keys: str) -> None:
        """Forget the failures of keys (after a successful login)."""
        with self._lock:
            for key in keys:
                self._failures.pop(key, None)
