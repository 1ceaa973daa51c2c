"""Live sessions recently checked, kept for a few seconds so each request need not load its user.

A deactivated user or a revoked session is refused at most `ttl_s` seconds later than without
the cache (at once in the process that made the change, which calls `forget_user`).
Cached users are detached from their session and only read (id, role, profile fields).
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable

from cloud.users.models import User


class ActiveUserCache:
    """The active user of each live session id, each for `ttl_s` seconds after it was loaded."""

    def __init__(
        self, ttl_s: float, max_entries: int = 10_000, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.ttl_s = ttl_s
        self.max_entries = max_entries
        self.clock = clock
        self._entries: dict[uuid.UUID, tuple[float, User]] = {}
        self._lock = threading.Lock()

    def get(self, session_id: uuid.UUID) -> User | None:
        """The cached user of a session if still fresh."""
        with self._lock:
            entry = self._entries.get(session_id)
            if entry is None or entry[0] <= self.clock():
                return None
            return entry[1]

    def put(self, session_id: uuid.UUID, user: User) -> None:
        """Remember a live session of an active user."""
        if self.ttl_s <= 0:
            return
        with self._lock:
            if len(self._entries) >= self.max_entries:
                self._entries.clear()
            self._entries[session_id] = (self.clock() + self.ttl_s, user)

    def forget_user(self, user_id: uuid.UUID) -> None:
        """Drop every session of a user (deactivated, password or role changed)."""
        with self._lock:
            for session_id in [s for s, (_, u) in self._entries.items() if u.id == user_id]:
                del self._entries[session_id]

    def forget_session(self, session_id: uuid.UUID) -> None:
        """Drop one session (logged out)."""
        with self._lock:
            self._entries.pop(session_id, None)
