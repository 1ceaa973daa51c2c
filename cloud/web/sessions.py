"""Web sessions: start one at sign-in, find its user per request, end it at logout.

The cookie carries a random token; the table keeps its SHA-256, so a copy of the database
cannot sign anyone in. Ending a session deletes its row, so the cookie is worthless afterwards;
a deactivated user's sessions stop resolving at once.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from cloud.users.models import User
from cloud.web.models import WebSession


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class SignedIn:
    """The user of a live session and the session's CSRF token."""

    user: User
    csrf_token: str


class WebSessionService:
    """Server-side web sessions; owns its transaction."""

    def __init__(self, db: Session) -> None:
        self.db = db

    def start(self, user: User, lifetime: timedelta, now: datetime) -> str:
        """A new session for `user` from `now` on; the token to put in the cookie."""
        token = secrets.token_urlsafe(32)
        self.db.execute(delete(WebSession).where(WebSession.expires_at <= now))
        self.db.add(
            WebSession(
                id=uuid.uuid4(),
                token_hash=_hash(token),
                user_id=user.id,
                csrf_token=secrets.token_urlsafe(32),
                expires_at=now + lifetime,
            )
        )
        self.db.commit()
        return token

    def resolve(self, token: str, now: datetime) -> SignedIn | None:
        """The active user and CSRF token of a session unexpired at `now`, or None."""
        row = self.db.execute(
            select(User, WebSession.csrf_token)
            .join(WebSession, WebSession.user_id == User.id)
            .where(WebSession.token_hash == _hash(token), WebSession.expires_at > now)
        ).first()
        if row is None or not row[0].is_active:
            return None
        return SignedIn(user=row[0], csrf_token=row[1])

    def end(self, token: str) -> None:
        """Log this session out (nothing happens for an unknown token)."""
        self.db.execute(delete(WebSession).where(WebSession.token_hash == _hash(token)))
        self.db.commit()
