"""Sessions on the read replica, and the primary's stand-in while the replica cannot be reached.

The figures read there may trail by a moment anyway; a dashboard that fails because its
replica is down helps nobody, so a failed connection sends reads to the primary for a while
(`RETRY_AFTER`) before the replica is tried again.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)
RETRY_AFTER = 30.0


class ReplicaSessions:
    """Opens sessions on the replica, or answers None while it is taken as down."""

    def __init__(
        self,
        factory: Callable[[], Session],
        retry_after: float = RETRY_AFTER,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._factory = factory
        self._retry_after = retry_after
        self._monotonic = monotonic
        self._down_until = 0.0

    def open(self) -> Session | None:
        """A session holding a replica connection, or None: read from the primary instead."""
        if self._monotonic() < self._down_until:
            return None
        session = self._factory()
        try:
            session.connection()
        except OperationalError as error:
            session.close()
            self._down_until = self._monotonic() + self._retry_after
            log.warning(
                "read replica unreachable, reading from the primary for %.0f s: %s",
                self._retry_after,
                error.orig,
            )
            return None
        return session
