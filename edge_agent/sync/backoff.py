"""Exponential reconnect backoff with full jitter, so a fleet never reconnects in lockstep."""

from __future__ import annotations

import random
from dataclasses import dataclass, field


@dataclass
class Backoff:
    """Delays grow from `base_s` doubling up to `cap_s`; each is drawn uniformly below that."""

    base_s: float
    cap_s: float
    rng: random.Random = field(default_factory=random.Random)
    attempts: int = 0

    def next_delay(self) -> float:
        """The wait before the next attempt (full jitter: uniform in [base/2, ceiling])."""
        ceiling = min(self.cap_s, self.base_s * (2**self.attempts))
        self.attempts += 1
        return self.rng.uniform(min(self.base_s / 2, ceiling), ceiling)

    def reset(self) -> None:
        """A connection succeeded: start again from the base delay."""
        self.attempts = 0
