"""Whether the wall clock can be trusted: a device without a real-time clock boots far in the
past until NTP sets it. Messages made meanwhile carry `clock_synced=false`."""

from __future__ import annotations

from datetime import datetime, timedelta

from edge_agent.clock import Clock
from edge_agent.store import Store
from edge_agent.store.codec import from_text, to_text

# The last time seen is saved at most this often, and a clock this far behind it is distrusted.
SAVE_EVERY = timedelta(minutes=5)
BACKWARDS_TOLERANCE = timedelta(minutes=10)


class ClockHealth:
    """Judges the clock against a floor (build date) and the latest trusted time seen."""

    def __init__(self, clock: Clock, floor: datetime) -> None:
        self.clock = clock
        self.floor = floor
        self._last_seen: datetime | None = None
        self._store: Store | None = None

    def bind(self, store: Store) -> None:
        """Load and keep the latest trusted time in `store` (survives restarts)."""
        self._store = store
        text = store.get_meta("clock_last_seen")
        self._last_seen = from_text(text) if text else None

    def synced(self) -> bool:
        """Whether `clock.now()` is plausible: past the floor, not far behind a time seen."""
        now = self.clock.now()
        if now < self.floor:
            return False
        return self._last_seen is None or now >= self._last_seen - BACKWARDS_TOLERANCE

    def observe(self) -> None:
        """Remember the current time as seen, if it is trusted (called on every wake)."""
        now = self.clock.now()
        if not self.synced():
            return
        if self._last_seen is not None and now < self._last_seen + SAVE_EVERY:
            return
        self._last_seen = now
        if self._store is not None:
            self._store.set_meta("clock_last_seen", to_text(now))
