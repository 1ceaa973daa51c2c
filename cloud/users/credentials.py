"""Passwords: changing one, and resetting a forgotten one through an emailed single-use link.

A changed password ends the user's other sessions; a reset ends all of them (whoever knew the
old password is signed out). Reset requests are limited per address asked for and per client
address (`reset_limits`), counted whether or not the address has an account, so neither the
answer nor the limit tells anyone who has one.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from cloud.config import CloudSettings
from cloud.errors import AuthenticationError, ValidationFailedError
from cloud.users.login_limiter import RESET_PREFIX, LoginLimiter, reset_limits
from cloud.users.mail import AccountEmail
from cloud.users.models import PasswordResetToken, User
from cloud.users.one_time import new_link_token, token_hash
from cloud.users.password_policy import PasswordPolicy
from cloud.users.passwords import hash_password, verify_password
from cloud.users.sessions import SessionService


def password_policy(settings: CloudSettings) -> PasswordPolicy:
    """The configured password policy."""
    return PasswordPolicy(settings.password_min_length, settings.password_min_score)


class CredentialService:
    """Password changes and resets; owns its transaction."""

    def __init__(self, db: Session, settings: CloudSettings) -> None:
        self.db = db
        self.settings = settings
        self.policy = password_policy(settings)

    def change(
        self, user: User, current: str, new: str, session_id: uuid.UUID, now: datetime
    ) -> None:
        """Set a new password after checking the current one; other sessions end."""
        stored = self.db.get(User, user.id)
        if stored is None or not verify_password(current, stored.password_hash):
            raise AuthenticationError("the current password is wrong")
        self._set(stored, new, now, keep=session_id)

    def request_reset(self, email: str, address: str, now: datetime) -> AccountEmail | None:
        """A reset email for an active account with this address, or None (told to nobody):
        also None past the limit of requests for this address or from this client."""
        limiter = LoginLimiter(self.db, reset_limits(self.settings))
        keys = LoginLimiter.keys(email, address, RESET_PREFIX)
        if limiter.retry_after(keys, now) is not None:
            return None
        limiter.record_failure(keys, now)
        user = self.db.scalar(select(User).where(User.email == email.strip().lower()))
        if user is None or not user.is_active:
            return None
        token, digest = new_link_token()
        self.db.add(
            PasswordResetToken(
                user_id=user.id,
                token_hash=digest,
                expires_at=now + timedelta(minutes=self.settings.password_reset_minutes),
            )
        )
        self.db.commit()
        # The web app's reset page (cloud/web/account_pages.py).
        link = f"{self.settings.public_url.rstrip('/')}/app/password/reset?token={token}"
        return AccountEmail(
            user.email,
            "Reset your password",
            f"Hello {user.full_name},\n\nSomeone asked to reset the password of your MedMind "
            f"account. To choose a new one, open this link within "
            f"{self.settings.password_reset_minutes} minutes:\n\n{link}\n\n"
            "It works once. If you did not ask, ignore this email: your password stays.\n",
        )

    def confirm_reset(self, token: str, new: str, now: datetime) -> uuid.UUID:
        """Set the password named by a reset token; the token is spent, every session ends.

        Returns the user's id."""
        reset = self._live_reset(token, now, lock=True)
        user = self.db.get(User, reset.user_id)
        if user is None or not user.is_active:
            self.db.rollback()
            raise ValidationFailedError("this account is deactivated; ask an admin")
        reset.used_at = now
        # Every other reset link of the user is spent too.
        self.db.execute(
            update(PasswordResetToken)
            .where(PasswordResetToken.user_id == user.id, PasswordResetToken.used_at.is_(None))
            .values(used_at=now)
        )
        self._set(user, new, now, keep=None)
        return user.id

    def check_reset_link(self, token: str, now: datetime) -> None:
        """Refuse (as `confirm_reset` would) a reset link that was used, expired or mistyped,
        before anyone types a new password for it; the link stays usable."""
        self._live_reset(token, now, lock=False)
        self.db.rollback()

    def _live_reset(self, token: str, now: datetime, *, lock: bool) -> PasswordResetToken:
        statement = select(PasswordResetToken).where(
            PasswordResetToken.token_hash == token_hash(token)
        )
        reset = self.db.scalar(statement.with_for_update() if lock else statement)
        if reset is None or reset.used_at is not None or reset.expires_at <= now:
            self.db.rollback()
            raise ValidationFailedError(
                "this reset link is not valid: it was used, has expired or was mistyped; "
                "ask for a new one"
            )
        return reset

    def _set(self, user: User, new: str, now: datetime, keep: uuid.UUID | None) -> None:
        self.policy.check(new, [user.email, user.full_name])
        user.password_hash = hash_password(new)
        SessionService(self.db, self.settings).revoke_all(
            user.id, "password changed", now, keep=keep
        )
        self.db.commit()
