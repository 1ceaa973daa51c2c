"""How the device database writes instants: UTC ISO 8601 with microseconds (text order = time)."""

from __future__ import annotations

from datetime import UTC, datetime


def to_text(moment: datetime) -> str:
    """An aware instant as stored text."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def from_text(text: str) -> datetime:
    """Read an instant written by `to_text`."""
    return datetime.fromisoformat(text)
