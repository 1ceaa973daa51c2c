"""Small helpers every mapping module uses: references, instants, codings, quantities."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Text, cast, func

Json = dict[str, Any]


def ref(resource_type: str, resource_id: uuid.UUID | str, display: str | None = None) -> Json:
    """A relative reference, e.g. `{"reference": "Patient/..."}`."""
    reference: Json = {"reference": f"{resource_type}/{resource_id}"}
    if display:
        reference["display"] = display
    return reference


def instant(value: datetime) -> str:
    """An aware datetime as a FHIR dateTime in UTC, to the second."""
    return value.astimezone(UTC).isoformat(timespec="seconds")


def text_of(column: Any) -> ColumnElement[str]:
    """A column (e.g. a UUID) as text, made by PostgreSQL (cheaper than in Python per row)."""
    return cast(column, Text)


def instant_of(column: Any) -> ColumnElement[str]:
    """A timestamptz column as `instant` would write it, made by PostgreSQL."""
    return func.to_char(func.timezone("UTC", column), 'YYYY-MM-DD"T"HH24:MI:SS"+00:00"')


def day(value: date) -> str:
    """A date as a FHIR date."""
    return value.isoformat()


def coding(system: str, code: str, display: str | None = None) -> Json:
    """One Coding."""
    out: Json = {"system": system, "code": code}
    if display:
        out["display"] = display
    return out


def concept(text: str | None = None, *codings: Json) -> Json:
    """A CodeableConcept of `codings` and `text`."""
    out: Json = {}
    if codings:
        out["coding"] = list(codings)
    if text:
        out["text"] = text
    return out


def extension(url: str, kind: str, value: Any) -> Json:
    """One extension, `kind` naming its value type (`valueCode`, `valueInteger`, ...)."""
    return {"url": url, kind: value}


def parse_uuid(text: str) -> uuid.UUID | None:
    """The UUID a resource id spells, or None (then nothing has that id)."""
    try:
        return uuid.UUID(text)
    except ValueError:
        return None
