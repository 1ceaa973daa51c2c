"""Sign-in sessions: open one per login, rotate its refresh token, revoke it.

A session is a family of refresh tokens. Each refresh hands out a new one and remembers only
its id; the old one presented again means it was copied (or the client raced itself), so the
whole family is revoked and its user must sign in again.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.orm import Session

from cloud.config import CloudSettings
from cloud.errors import AuthenticationError
from cloud.users.models import AuthSession, User
from cloud.users.schemas import TokenPair
from cloud.users.tokens import issue_token, read_token
from cloud.web.models import WebSession

# Checked on every request whose session is not cached: one indexed join.
LIVE_SESSION_USER = (
    select(User)
    .join(AuthSession, AuthSession.user_id == User.id)
    .where(
        AuthSession.id == bindparam("session_id"),
        User.id == bindparam("user_id"),
        AuthSession.revoked_at.is_(None),
        User.is_active,
    )
)


class SessionService:
    """Opens, rotates and revokes sessions; owns its transaction."""

    def __init__(self, db: Session, settings: CloudSettings) -> None:
        self.db = db
        self.settings = settings

    def open(self, user: User, address: str | None, now: datetime) -> TokenPair:
        """A new session for a user who just proved who they are, and its first tokens."""
        session = AuthSession(
            id=uuid.uuid4(),
            user_id=user.id,
            refresh_jti=uuid.uuid4().hex,
            expires_at=now + timedelta(days=self.settings.refresh_token_days),
            address=address,
        )
        self.db.add(session)
        self.db.commit()
        return self._pair(user, session)

    def rotate(self, refresh_token: str, now: datetime) -> TokenPair:
        """New tokens for a refresh token; a spent one revokes its session (401 either way)."""
        claims = read_token(self.settings, refresh_token, "refresh")
        session = self.db.scalar(
            select(AuthSession).where(AuthSession.id == claims.session_id).with_for_update()
        )
        if session is None or session.user_id != claims.user_id or session.revoked_at:
            self.db.rollback()
            raise AuthenticationError("this session has ended; sign in again")
        if session.refresh_jti != claims.token_id:
            session.revoked_at = now
            session.revoked_reason = "refresh token reused"
            self.db.commit()
            raise AuthenticationError(
                "this refresh token was already used; the session is ended, sign in again"
            )
        user = self.db.get(User, session.user_id)
        if user is None or not user.is_active:
            self.db.rollback()
            raise AuthenticationError("the token's user no longer exists or is disabled")
        session.refresh_jti = uuid.uuid4().hex
        session.expires_at = now + timedelta(days=self.settings.refresh_token_days)
        self.db.commit()
        return self._pair(user, session)

    def revoke(self, session_id: uuid.UUID, reason: str, now: datetime) -> None:
        """End one session (logout)."""
        self.db.execute(
            update(AuthSession)
            .where(AuthSession.id == session_id, AuthSession.revoked_at.is_(None))
            .values(revoked_at=now, revoked_reason=reason)
        )
        self.db.commit()

    def revoke_all(
        self, user_id: uuid.UUID, reason: str, now: datetime, *, keep: uuid.UUID | None = None
    ) -> None:
        """End every live session of a user but the API session `keep`, web sessions included,
        in the caller's transaction."""
        self.db.execute(delete(WebSession).where(WebSession.user_id == user_id))
        statement = (
            update(AuthSession)
            .where(AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None))
            .values(revoked_at=now, revoked_reason=reason)
        )
        if keep is not None:
            statement = statement.where(AuthSession.id != keep)
        self.db.execute(statement)

    def live_user(self, session_id: uuid.UUID, user_id: uuid.UUID) -> User | None:
        """The active user of a live session, or None."""
        return self.db.scalar(LIVE_SESSION_USER, {"session_id": session_id, "user_id": user_id})

    def _pair(self, user: User, session: AuthSession) -> TokenPair:
        return TokenPair(
            access_token=issue_token(
                self.settings, user.id, user.role, "access", session_id=session.id
            ),
            refresh_token=issue_token(
                self.settings,
                user.id,
                user.role,
                "refresh",
                session_id=session.id,
                token_id=session.refresh_jti,
            ),
            expires_in=self.settings.access_token_minutes * 60,
        )
