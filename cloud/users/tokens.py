"""JWT access and refresh tokens for people."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

import jwt

from cloud.config import CloudSettings
from cloud.errors import AuthenticationError
from shared.enums import Role

TokenType = Literal["access", "refresh"]


@dataclass(frozen=True)
class TokenClaims:
    """What a valid token says: who, which role, which kind of token."""

    user_id: uuid.UUID
    role: Role
    token_type: TokenType


def issue_token(
    settings: CloudSettings,
    user_id: uuid.UUID,
    role: Role,
    token_type: TokenType,
    *,
    now: datetime | None = None,
) -> str:
    """A signed token of `token_type` for the user, valid for the configured lifetime."""
    now = now or datetime.now(UTC)
    lifetime = (
        timedelta(minutes=settings.access_token_minutes)
        if token_type == "access"
        else timedelta(days=settings.refresh_token_days)
    )
    claims = {
        "sub": str(user_id),
        "role": role.value,
        "typ": token_type,
        "iat": now,
        "exp": now + lifetime,
        "jti": uuid.uuid4().hex,
    }
    return jwt.encode(
        claims, settings.jwt_secret.get_secret_value(), algorithm=settings.jwt_algorithm
    )


def read_token(settings: CloudSettings, token: str, expected: TokenType) -> TokenClaims:
    """Verify signature, expiry and type; AuthenticationError otherwise."""
    try:
        claims = jwt.decode(
            token,
            settings.jwt_secret.get_secret_value(),
            algorithms=[settings.jwt_algorithm],
            options={"require": ["sub", "exp", "typ", "role"]},
        )
        parsed = TokenClaims(uuid.UUID(claims["sub"]), Role(claims["role"]), claims["typ"])
    except jwt.ExpiredSignatureError:
        raise AuthenticationError("the token has expired") from None
    except (jwt.InvalidTokenError, ValueError, KeyError):
        raise AuthenticationError("the token is not valid") from None
    if parsed.token_type != expected:
        raise AuthenticationError(f"a {expected} token is required")
    return parsed
