"""Users recently found active, kept for a few seconds so each request need not load its user.

A disabled or deleted user is refused at most `ttl_s` seconds later than without the cache.
Cached users are detached from their session and only read (id, role, profile fields).
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable

from cloud.users.models import User


class ActiveUserCache:
    """Active users by id, each for `ttl_s` seconds after it was loaded."""

    def __init__(
        self, ttl_s: float, max_entries: int = 10_000, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.ttl_s = ttl_s
        self.max_entries = max_entries
        self.clock = clock
        self._entries: dict[uuid.UUID, tuple[float, User]] = {}
        self._lock = threading.Lock()

    def get(self, user_id: uuid.UUID) -> User | None:
        """The cached user if still fresh."""
        with self._lock:
            entry = self._entries.get(user_id)
            if entry is None or entry[0] <= self.clock():
                return None
            return entry[1]

    def put(self, user: User) -> None:
        """Remember an active user."""
        if self.ttl_s <= 0:
            return
        with self._lock:
            if len(self._entries) >= self.max_entries:
                self._entries.clear()
            self._entries[user.id] = (self.clock() + self.ttl_s, user)
