"""People who log in, their sessions, password-reset tokens and failed-login counters."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from cloud.db.base import Base, Timestamped, UUIDPrimaryKey, value_enum
from shared.enums import Role


class User(UUIDPrimaryKey, Timestamped, Base):
    """A login: admin, doctor, caregiver or patient. Emails are stored lower-cased, unique."""

    __tablename__ = "users"

    email: Mapped[str] = mapped_column(unique=True)
    full_name: Mapped[str]
    role: Mapped[Role] = mapped_column(value_enum(Role), index=True)
    password_hash: Mapped[str]
    is_active: Mapped[bool] = mapped_column(default=True, server_default="true")
    last_login_at: Mapped[datetime | None]


class AuthSession(UUIDPrimaryKey, Timestamped, Base):
    """One sign-in: the family of refresh tokens it rotates through, and its access tokens.

    Only the newest refresh token's id is kept; presenting an older one means a token was
    copied, and the whole session is revoked.
    """

    __tablename__ = "auth_sessions"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    refresh_jti: Mapped[str]
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    revoked_reason: Mapped[str | None]
    address: Mapped[str | None]


class PasswordResetToken(UUIDPrimaryKey, Timestamped, Base):
    """A single-use, expiring password reset; only the token's SHA-256 is stored."""

    __tablename__ = "password_reset_tokens"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(unique=True)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class LoginThrottle(Base):
    """Recent failed logins of one key (an account or a client address), shared by processes."""

    __tablename__ = "login_throttles"
    key: Mapped[str] = mapped_column(primary_key=True)
    failures: Mapped[int]
    last_failure_at: Mapped[datetime]
    blocked_until: Mapped[datetime | None]
