"""What the device says, in one place, so wording stays consistent between buttons and voice."""

from __future__ import annotations

from collections.abc import Sequence

from edge_agent.store import OccurrenceRecord


def say_list(parts: Sequence[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    if not parts:
        return ""
    if len(parts) == 1:
        return parts[0]
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def dose_labels(records: Sequence[OccurrenceRecord]) -> str:
    return say_list([record.label for record in records])


def announce_due(records: Sequence[OccurrenceRecord], *, again: bool) -> str:
    """The reminder for every dose waiting now."""
    if not records:
        return ""
    lead = "Reminder: it is still time for" if again else "It is time for"
    return f"{lead} {dose_labels(records)}. Press taken when you have taken it."


NOTHING_DUE = "Nothing is due right now."


def taken(records: Sequence[OccurrenceRecord]) -> str:
    return f"Thank you. I recorded {dose_labels(records)} as taken."


def skipped(records: Sequence[OccurrenceRecord]) -> str:
    return f"All right. I recorded {dose_labels(records)} as skipped."


def snoozed(minutes: float) -> str:
    return f"All right, I will remind you again in {minutes:g} minutes."


def no_more_snoozes(records: Sequence[OccurrenceRecord]) -> str:
    return f"I cannot snooze again. Please take {dose_labels(records)} now."


EMERGENCY = "I am calling for help now. Stay where you are; your caregiver is being alerted."
