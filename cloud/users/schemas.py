"""API shapes of users and tokens."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.enums import Role

Email = Annotated[
    str,
    Field(
        min_length=3,
        max_length=254,
        pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$",
        examples=["carol.caregiver@example.com"],
    ),
]


class TokenPair(BaseModel):
    """An access token for API calls and a refresh token to get new ones."""

    access_token: str
    refresh_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int = Field(description="Seconds the access token is valid.")


class RefreshIn(BaseModel):
    """A refresh token to exchange."""

    model_config = ConfigDict(extra="forbid")

    refresh_token: Annotated[str, Field(min_length=1, max_length=4096)]


class UserOut(BaseModel):
    """A user as others may see them (never the password hash)."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    email: str
    full_name: str
    role: Role
    is_active: bool
    created_at: datetime


class MeOut(UserOut):
    """The current user, with the patient record when they are a patient."""

    patient_id: uuid.UUID | None = None


class UserIn(BaseModel):
    """A new user; doctors and caregivers get their profile made with them."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "email": "dora.doctor@example.com",
                    "full_name": "Dr. Dora Diaz",
                    "role": "doctor",
                    "password": "a long passphrase",
                }
            ]
        },
    )

    email: Email
    full_name: Annotated[str, Field(min_length=1, max_length=200)]
    role: Role
    password: Annotated[str, Field(min_length=10, max_length=256)]
