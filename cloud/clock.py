"""The cloud's clock: one callable giving "now", injected wherever the cloud reads the time.

Production uses the real clock; the simulator hands its virtual clock to the API, the ingest
worker and the jobs alike, so plan saves, expansion, presence, detectors and escalations all see
the same simulated time.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The real clock: the current time, timezone-aware UTC."""
    return datetime.now(UTC)
