"""API shapes of users and tokens."""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from pydantic_core import PydanticCustomError

from shared.enums import Role

# An address goes into email headers as it is, so it must read there as one address: words of
# RFC 5322's plain ASCII letters joined by dots, a host name after the '@'. No header punctuation
# (a ':' made a group of recipients, a ',' a list), no '?' ("=?utf-8?q?...?=" is decoded into
# other text when the mail is read) and no other script (it would be sent encoded, and garbled).
_LOCAL_WORD = r"[A-Za-z0-9!#$%&'*+/=^_`{|}~-]+"
_HOST_LABEL = r"[A-Za-z0-9-]+"
EMAIL_PATTERN = rf"^{_LOCAL_WORD}(\.{_LOCAL_WORD})*@{_HOST_LABEL}(\.{_HOST_LABEL})+$"
_EMAIL = re.compile(EMAIL_PATTERN)


def _email(value: str) -> str:
    # Checked here rather than by `pattern`, whose refusal quotes the regular expression.
    if not _EMAIL.fullmatch(value):
        raise PydanticCustomError(
            "email", "Value should be an email address such as name@example.com, with no spaces"
        )
    return value


Email = Annotated[
    str,
    Field(
        min_length=3,
        max_length=254,
        json_schema_extra={"pattern": EMAIL_PATTERN},
        examples=["carol.caregiver@example.com"],
    ),
    AfterValidator(_email),
]


# The policy (length, strength) is checked by the service, with a message saying what to do.
Password = Annotated[str, Field(min_length=1, max_length=256, examples=["a long passphrase"])]
LinkToken = Annotated[str, Field(min_length=1, max_length=200)]


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
                    "password": "lantern orchard gravel mosaic",
                }
            ]
        },
    )

    email: Email
    full_name: Annotated[str, Field(min_length=1, max_length=200)]
    role: Role
    password: Password


class PasswordChangeIn(BaseModel):
    """The current password and the new one."""

    model_config = ConfigDict(extra="forbid")

    current_password: Annotated[str, Field(min_length=1, max_length=256)]
    new_password: Password


class PasswordResetRequestIn(BaseModel):
    """The address to send a reset link to (the answer is the same whether it has an account)."""

    model_config = ConfigDict(extra="forbid")

    email: Email


class PasswordResetIn(BaseModel):
    """The token from a reset link and the new password."""

    model_config = ConfigDict(extra="forbid")

    token: LinkToken
    new_password: Password


class ResetRequestedOut(BaseModel):
    """The one answer to a reset request, whether or not the address has an account."""

    detail: str = (
        "If this address has an account, a reset link is on its way. Links are sent a few "
        "times an hour at most: if none arrives, check the address and ask again later."
    )


class RoleIn(BaseModel):
    """A user's new role (admin, doctor or caregiver)."""

    model_config = ConfigDict(extra="forbid")

    role: Role
