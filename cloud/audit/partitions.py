"""Monthly partitions of the access log, made ahead of time (the migration defines the function)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import text
from sqlalchemy.orm import Session


def ensure_access_log_partitions(db: Session, now: datetime, months_ahead: int) -> None:
    """Make the partitions of `now`'s month and the `months_ahead` after it, if missing."""
    db.execute(
        text("SELECT access_log_ensure_partitions(:first, :months)"),
        {"first": now.date(), "months": months_ahead + 1},
    )
    db.commit()
