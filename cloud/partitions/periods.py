"""The periods a table is partitioned by: UTC days, ISO weeks (from Monday) and months."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from enum import StrEnum


class Period(StrEnum):
    """The length of one partition."""

    DAY = "day"
    WEEK = "week"
    MONTH = "month"

    def start(self, at: datetime) -> datetime:
        """The start (UTC midnight) of the period holding `at`."""
        day = at.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        match self:
            case Period.DAY:
                return day
            case Period.WEEK:
                return day - timedelta(days=day.weekday())
            case Period.MONTH:
                return day.replace(day=1)

    def following(self, start: datetime) -> datetime:
        """The start of the period after the one starting at `start`."""
        match self:
            case Period.DAY:
                return start + timedelta(days=1)
            case Period.WEEK:
                return start + timedelta(days=7)
            case Period.MONTH:
                return (start + timedelta(days=32)).replace(day=1)

    def starts(self, first: datetime, until: datetime) -> list[datetime]:
        """Starts of every period from the one holding `first` to the one holding `until`."""
        starts = [self.start(first)]
        while (following := self.following(starts[-1])) <= until:
            starts.append(following)
        return starts
