"""Search parameters: `patient` (or `_id` for Patient), `date` with prefixes, `_count`, `_offset`.

A date without a time is a whole local day in the patient's zone (UTC when the search names no
patient); `ge`, `gt`, `le`, `lt` and `eq` (the default) bound the instants a resource is dated
by. Anything else is refused, so a client never mistakes an ignored filter for an applied one.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from cloud.fhir.outcome import FhirError, Issue
from cloud.fhir.registry import ResourceType
from shared.schedule import local_day_bounds

DEFAULT_COUNT = 50
MAX_COUNT = 1000
MAX_OFFSET = 10_000_000
# A reference to no patient at all: a malformed id finds nothing, as an unknown one does.
NO_PATIENT = uuid.UUID(int=0)
_PREFIXED = re.compile(r"^(eq|ge|gt|le|lt)?(.+)$")


@dataclass(frozen=True)
class DateBound:
    """One `date=` value: a comparison and a date or an instant."""

    prefix: str
    value: date | datetime


@dataclass(frozen=True)
class SearchParams:
    """A parsed search."""

    patient_id: uuid.UUID | None
    dates: tuple[DateBound, ...]
    count: int
    offset: int


def _refused(parameter: str, why: str) -> FhirError:
    return FhirError(400, [Issue("not-supported", f"{parameter}: {why}", (parameter,))])


def patient_reference(value: str) -> uuid.UUID:
    """The patient id of `Patient/<id>` or `<id>` (NO_PATIENT if it cannot be one)."""
    text = value.removeprefix("Patient/")
    try:
        return uuid.UUID(text)
    except ValueError:
        return NO_PATIENT


def parse_date(parameter: str, text: str) -> DateBound:
    """One `date` value with its prefix."""
    match = _PREFIXED.match(text)
    assert match is not None, "the pattern matches any non-empty text"
    prefix, value = match[1] or "eq", match[2]
    try:
        if "T" in value:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
            if moment.tzinfo is None:
                raise ValueError("no time zone")
            return DateBound(prefix, moment)
        return DateBound(prefix, date.fromisoformat(value))
    except ValueError:
        raise _refused(
            parameter, f"{text!r} is not a date (YYYY-MM-DD) or an instant with a time zone"
        ) from None


def _integer(name: str, text: str, low: int, high: int) -> int:
    try:
        number = int(text)
    except ValueError:
        number = low - 1
    if not low <= number <= high:
        raise _refused(name, f"must be a whole number from {low} to {high}")
    return number


def parse_search(kind: ResourceType, query: Sequence[tuple[str, str]]) -> SearchParams:
    """The search `query` asks of `kind`; FhirError 400 for what is not supported."""
    patient_parameter = "_id" if kind.name == "Patient" else "patient"
    patient_id: uuid.UUID | None = None
    dates: list[DateBound] = []
    count, offset = DEFAULT_COUNT, 0
    for name, value in query:
        if name == patient_parameter:
            if patient_id is not None:
                raise _refused(name, "give one patient")
            patient_id = patient_reference(value)
        elif name == "date" and kind.dated:
            dates.append(parse_date(name, value))
        elif name == "_count":
            count = _integer(name, value, 1, MAX_COUNT)
        elif name == "_offset":
            offset = _integer(name, value, 0, MAX_OFFSET)
        else:
            raise _refused(name, f"not a search parameter of {kind.name} here (see /metadata)")
    return SearchParams(patient_id, tuple(dates), count, offset)


def instants(
    bounds: Sequence[DateBound], zone: ZoneInfo
) -> tuple[datetime | None, datetime | None]:
    """The instants `[since, before)` all `bounds` allow together; dates as days in `zone`."""
    since: datetime | None = None
    before: datetime | None = None

    def later(a: datetime | None, b: datetime) -> datetime:
        return b if a is None or b > a else a

    def earlier(a: datetime | None, b: datetime) -> datetime:
        return b if a is None or b < a else a

    for bound in bounds:
        if isinstance(bound.value, datetime):
            start, end = bound.value, bound.value + timedelta(seconds=1)
        else:
            start, end = local_day_bounds(bound.value, zone)
        if bound.prefix in ("eq", "ge"):
            since = later(since, start)
        if bound.prefix == "gt":
            since = later(since, end)
        if bound.prefix in ("eq", "le"):
            before = earlier(before, end)
        if bound.prefix == "lt":
            before = earlier(before, start)
    return since, before
