"""API shapes of invitations."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema
from pydantic_core import PydanticCustomError

from cloud.users.schemas import Email, LinkToken, Password
from shared.enums import Role

INVITED_ROLES = (Role.CAREGIVER.value, Role.DOCTOR.value)


def _invited_role(value: object) -> object:
    # A Literal of enum members would answer with their Python repr ("<Role.DOCTOR: 'doctor'>").
    if value not in INVITED_ROLES:
        raise PydanticCustomError("literal_error", "Input should be 'caregiver' or 'doctor'")
    return value


InvitedRole = Annotated[
    Role,
    BeforeValidator(_invited_role),
    WithJsonSchema({"type": "string", "enum": list(INVITED_ROLES), "title": "Role"}),
]


class InvitationIn(BaseModel):
    """Whom to invite to the patient's care team, and as what."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "email": "dan.daughter@example.com",
                    "role": "caregiver",
                    "relationship": "daughter",
                }
            ]
        },
    )

    email: Email
    role: InvitedRole
    relationship: Annotated[str | None, Field(max_length=100)] = None


class InvitationOut(BaseModel):
    """An invitation (never its token, which only the email carries)."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    patient_id: uuid.UUID
    email: str
    role: Role
    relationship: str | None
    invited_by: uuid.UUID | None
    created_at: datetime
    expires_at: datetime
    accepted_at: datetime | None
    revoked_at: datetime | None


class InvitationAcceptIn(BaseModel):
    """The token from the invitation link; a name and password when the address has no account
    yet (an existing account is linked as it is)."""

    model_config = ConfigDict(extra="forbid")

    token: LinkToken
    full_name: Annotated[str | None, Field(min_length=1, max_length=200)] = None
    password: Password | None = None


class InvitationAcceptedOut(BaseModel):
    """Who joined which patient's care team, and whether their account is new."""

    user_id: uuid.UUID
    patient_id: uuid.UUID
    role: Role
    account_created: bool
