"""Retry policy for deliveries: exponential backoff with a cap and a final attempt (pure)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class RetryPolicy:
    """Attempt n (1-based) that fails waits base * 2**(n-1) seconds, capped, before the next."""

    max_attempts: int = 6
    base_delay_s: float = 30.0
    max_delay_s: float = 3600.0

    def delay_after(self, attempts: int) -> timedelta:
        """Wait after the `attempts`-th failed attempt."""
        if attempts < 1:
            raise ValueError(f"attempts must be at least 1, got {attempts}")
        seconds = min(self.base_delay_s * 2 ** (attempts - 1), self.max_delay_s)
        return timedelta(seconds=seconds)

    def next_attempt_at(self, attempts: int, failed_at: datetime) -> datetime | None:
        """When to try again after `attempts` failures, or None when the last try is spent."""
        if attempts >= self.max_attempts:
            return None
        return failed_at + self.delay_after(attempts)
