"""JWT access and refresh tokens for people."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
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
    """What a valid token says: who, which role, which kind of token, of which sign-in."""

    user_id: uuid.UUID
    role: Role
    token_type: TokenType
    session_id: uuid.UUID
    token_id: str


def issue_token(
    settings: CloudSettings,
    user_id: uuid.UUID,
    role: Role,
    token_type: TokenType,
    *,
    session_id: uuid.UUID,
    token_id: str | None = None,
    now: datetime | None = None,
) -> str:
    """A signed token of `token_type` for the user's session, valid for the configured lifetime.

    `token_id` (the `jti`) is random unless given: a session remembers its newest refresh
    token's id to spot an old one presented again.
    """
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
        "jti": token_id or uuid.uuid4().hex,
        "sid": str(session_id),
    }
    return jwt.encode(
        claims, settings.jwt_secret.get_secret_value(), algorithm=settings.jwt_algorithm
    )


def read_token(settings: CloudSettings, token: str, expected: TokenType) -> TokenClaims:
    """Verify signature, expiry and type; AuthenticationError otherwise."""
    return _verify(settings, token, expected)[0]


def _verify(settings: CloudSettings, token: str, expected: TokenType) -> tuple[TokenClaims, float]:
    """The token's claims and its expiry (POSIX seconds), or AuthenticationError."""
    try:
        claims = jwt.decode(
            token,
            settings.jwt_secret.get_secret_value(),
            algorithms=[settings.jwt_algorithm],
            options={"require": ["sub", "exp", "typ", "role", "sid", "jti"]},
        )
        parsed = TokenClaims(
            uuid.UUID(claims["sub"]),
            Role(claims["role"]),
            claims["typ"],
            uuid.UUID(claims["sid"]),
            str(claims["jti"]),
        )
        expires = float(claims["exp"])
    except jwt.ExpiredSignatureError:
        raise AuthenticationError("the token has expired") from None
    except (jwt.InvalidTokenError, ValueError, KeyError):
        raise AuthenticationError("the token is not valid") from None
    if parsed.token_type != expected:
        raise AuthenticationError(f"a {expected} token is required")
    return parsed, expires


class VerifiedTokens:
    """Tokens this process has already verified, kept with their claims until they expire.

    A token is an immutable signed string: once its signature checked out under this app's
    secret it needs no second check, only its expiry does, which `read` compares on every use.
    Each request after a client's first skips the HMAC, base64 and JSON of a full decode.
    """

    def __init__(self, max_entries: int = 10_000, clock: Callable[[], float] = time.time) -> None:
        self.max_entries = max_entries
        self.clock = clock
        self._entries: dict[tuple[str, TokenType], tuple[float, TokenClaims]] = {}
        self._lock = threading.Lock()

    def read(self, settings: CloudSettings, token: str, expected: TokenType) -> TokenClaims:
        """What `read_token` answers, from the cache while the token has not expired."""
        with self._lock:
            entry = self._entries.get((token, expected))
        if entry is not None and self.clock() < entry[0]:
            return entry[1]
        claims, expires = _verify(settings, token, expected)
        with self._lock:
            if len(self._entries) >= self.max_entries:
                self._entries.clear()
            self._entries[(token, expected)] = (expires, claims)
        return claims
