"""Parts of the day the patient speaks of ("what do I take tonight?"), as local hour ranges.

morning 05:00-12:00, afternoon 12:00-17:00, evening 17:00-21:00, night 21:00-05:00,
tonight 17:00-05:00 (evening and night), today the whole day. Ranges include their start and
exclude their end; night and tonight cross midnight.
"""

from __future__ import annotations

import re
from datetime import time
from enum import StrEnum


class PartOfDay(StrEnum):
    """A named stretch of the local day."""

    MORNING = "morning"
    AFTERNOON = "afternoon"
    EVENING = "evening"
    NIGHT = "night"
    TONIGHT = "tonight"
    TODAY = "today"

    @property
    def bounds(self) -> tuple[time, time]:
        """Start (inclusive) and end (exclusive) local times; end < start crosses midnight."""
        return _BOUNDS[self]

    def contains(self, local: time) -> bool:
        """Whether a local wall time falls in this part of the day."""
        start, end = self.bounds
        if start < end:
            return start <= local < end
        return local >= start or local < end


_BOUNDS: dict[PartOfDay, tuple[time, time]] = {
    PartOfDay.MORNING: (time(5), time(12)),
    PartOfDay.AFTERNOON: (time(12), time(17)),
    PartOfDay.EVENING: (time(17), time(21)),
    PartOfDay.NIGHT: (time(21), time(5)),
    PartOfDay.TONIGHT: (time(17), time(5)),
    PartOfDay.TODAY: (time(0), time(0)),
}

_ALIASES = {
    "this morning": PartOfDay.MORNING,
    "breakfast": PartOfDay.MORNING,
    "lunch": PartOfDay.AFTERNOON,
    "noon": PartOfDay.AFTERNOON,
    "this afternoon": PartOfDay.AFTERNOON,
    "dinner": PartOfDay.EVENING,
    "supper": PartOfDay.EVENING,
    "this evening": PartOfDay.EVENING,
    "bedtime": PartOfDay.NIGHT,
    "at night": PartOfDay.NIGHT,
}


def parse_part_of_day(text: str) -> PartOfDay | None:
    """The part of the day a phrase names ("tonight", "at bedtime", "Morning"), if any."""
    phrase = text.strip().lower()
    for part in PartOfDay:
        if phrase == part.value:
            return part
    for alias, part in _ALIASES.items():
        if alias in phrase:
            return part
    for part in PartOfDay:
        if re.search(rf"\b{part.value}\b", phrase):
            return part
    return None
