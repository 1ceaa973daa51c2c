"""API shapes of patients and their care-team links."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BaseModel, ConfigDict, Field


def _known_zone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown IANA time zone {value!r}") from None
    return value


TimeZone = Annotated[
    str,
    Field(min_length=1, max_length=64, examples=["Europe/Berlin"]),
    AfterValidator(_known_zone),
]
Name = Annotated[str, Field(min_length=1, max_length=200, examples=["Margaret Smith"])]


class PatientIn(BaseModel):
    """A new patient."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "full_name": "Margaret Smith",
                    "date_of_birth": "1941-05-02",
                    "timezone": "Europe/London",
                }
            ]
        },
    )

    full_name: Name
    date_of_birth: date | None = None
    timezone: TimeZone = "UTC"
    notes: Annotated[str, Field(max_length=2000)] = ""
    user_id: uuid.UUID | None = Field(default=None, description="Login of role patient, if any.")


class PatientUpdate(BaseModel):
    """Fields to change (omitted fields stay)."""

    model_config = ConfigDict(extra="forbid")

    full_name: Name | None = None
    date_of_birth: date | None = None
    timezone: TimeZone | None = None
    notes: Annotated[str, Field(max_length=2000)] | None = None


class PatientOut(BaseModel):
    """A patient."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    user_id: uuid.UUID | None
    full_name: str
    date_of_birth: date | None
    timezone: str
    notes: str
    created_at: datetime
    updated_at: datetime


class CaregiverLinkIn(BaseModel):
    """Link a caregiver (by their user id) to the patient."""

    model_config = ConfigDict(extra="forbid")

    user_id: uuid.UUID
    relationship: Annotated[str, Field(max_length=80, examples=["daughter"])] | None = None
    is_primary: bool = False


class DoctorLinkIn(BaseModel):
    """Link a doctor (by their user id) to the patient."""

    model_config = ConfigDict(extra="forbid")

    user_id: uuid.UUID


class CareTeamMember(BaseModel):
    """A caregiver or doctor linked to a patient."""

    user_id: uuid.UUID
    full_name: str
    email: str
    role: str
    relationship: str | None = None
    is_primary: bool = False
    linked_at: datetime
