"""Users: creating accounts (with their role profile), checking passwords, administering them."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from cloud.config import CloudSettings
from cloud.errors import (
    AccountDeactivatedError,
    AuthenticationError,
    ConflictError,
    NotFoundError,
    RateLimitedError,
)
from cloud.patients.models import Caregiver, Doctor, Patient
from cloud.users.credentials import password_policy
from cloud.users.login_limiter import LoginLimiter, login_limits
from cloud.users.models import User
from cloud.users.passwords import DUMMY_HASH, hash_password, verify_password
from cloud.users.schemas import UserIn
from cloud.users.sessions import SessionService
from shared.enums import Role

_PROFILES: dict[Role, Any] = {Role.DOCTOR: Doctor, Role.CAREGIVER: Caregiver}


def like_pattern(text: str) -> str:
    """A LIKE pattern matching `text` anywhere, its wildcards taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


class UserService:
    """Accounts and credentials; owns its transaction."""

    def __init__(self, db: Session, settings: CloudSettings) -> None:
        self.db = db
        self.settings = settings

    def by_email(self, email: str) -> User | None:
        """The user with this email (case-insensitive)."""
        return self.db.scalar(select(User).where(User.email == email.strip().lower()))

    def authenticate(self, email: str, password: str, now: datetime) -> User | None:
        """The active user if the password matches; None otherwise (same cost either way).

        A deactivated account is told so, but only to someone who knows its password: she
        would otherwise retry "wrong password" and count failures against herself.
        """
        user = self.by_email(email)
        if user is None:
            verify_password(password, DUMMY_HASH)
            return None
        if not verify_password(password, user.password_hash):
            return None
        if not user.is_active:
            raise AccountDeactivatedError(
                "This account has been deactivated. Ask an administrator to reactivate it."
            )
        user.last_login_at = now
        self.db.commit()
        return user

    def sign_in(self, email: str, password: str, address: str, now: datetime) -> User:
        """`authenticate` behind the login limiter, for every way in (API and web app).

        A blocked attempt is refused before the password is checked (RateLimitedError); a wrong
        one counts against the account and the address (AuthenticationError).
        """
        limiter = LoginLimiter(self.db, login_limits(self.settings))
        keys = LoginLimiter.keys(email, address)
        wait = limiter.retry_after(keys, now)
        if wait is not None:
            seconds = int(wait) + 1
            raise RateLimitedError(f"too many failed logins; try again in {seconds} s", seconds)
        user = self.authenticate(email, password, now)
        if user is None:
            limiter.record_failure(keys, now)
            raise AuthenticationError("wrong email or password")
        limiter.succeeded(keys, now)
        return user

    def create(self, spec: UserIn) -> User:
        """A new user (and their doctor or caregiver profile); 409 if the email is taken."""
        email = spec.email.strip().lower()
        if self.by_email(email) is not None:
            raise ConflictError(f"a user with email {email} already exists")
        password_policy(self.settings).check(spec.password, [email, spec.full_name])
        user = User(
            id=uuid.uuid4(),
            email=email,
            full_name=spec.full_name,
            role=spec.role,
            password_hash=hash_password(spec.password),
        )
        self.db.add(user)
        # The profile row references the user: insert the user first.
        self.db.flush()
        self.ensure_profile(user)
        self.db.commit()
        return user

    def ensure_profile(self, user: User) -> None:
        """Give a doctor or caregiver their profile row if they have none (caller commits)."""
        model = _PROFILES.get(user.role)
        if (
            model is not None
            and self.db.scalar(select(model.id).where(model.user_id == user.id)) is None
        ):
            self.db.add(model(user_id=user.id))
            self.db.flush()

    def get(self, user_id: uuid.UUID) -> User:
        """The user; 404 if unknown."""
        user = self.db.get(User, user_id)
        if user is None:
            raise NotFoundError("user not found")
        return user

    def search(self, role: Role | None, active: bool | None, q: str | None) -> Select[Any]:
        """Users by email, optionally of one role, active or not, email or name containing q."""
        statement = select(User).order_by(User.email, User.id)
        if role is not None:
            statement = statement.where(User.role == role)
        if active is not None:
            statement = statement.where(User.is_active == active)
        if q:
            pattern = like_pattern(q)
            statement = statement.where(
                or_(
                    User.email.ilike(pattern, escape="\\"),
                    User.full_name.ilike(pattern, escape="\\"),
                )
            )
        return statement

    def set_active(self, admin: User, user_id: uuid.UUID, active: bool, now: datetime) -> User:
        """Deactivate (every session ends at once; records stay) or reactivate a user."""
        user = self._other_than(admin, user_id, "deactivate")
        user.is_active = active
        if not active:
            SessionService(self.db, self.settings).revoke_all(user.id, "deactivated", now)
        self.db.commit()
        return user

    def set_role(self, admin: User, user_id: uuid.UUID, role: Role, now: datetime) -> User:
        """Give a doctor, caregiver or admin another of those roles; their sessions end."""
        user = self._other_than(admin, user_id, "change the role of")
        if Role.PATIENT in (role, user.role):
            raise ConflictError(
                "a patient login belongs to one patient record: create a new user instead"
            )
        if user.role is role:
            return user
        user.role = role
        self.ensure_profile(user)
        # Tokens name the role; the new one starts with the next sign-in.
        SessionService(self.db, self.settings).revoke_all(user.id, "role changed", now)
        self.db.commit()
        return user

    def patient_id_of(self, user: User) -> uuid.UUID | None:
        """The patient record of a user of role patient."""
        return self.db.scalar(select(Patient.id).where(Patient.user_id == user.id))

    def _other_than(self, admin: User, user_id: uuid.UUID, verb: str) -> User:
        if user_id == admin.id:
            raise ConflictError(f"you cannot {verb} your own account; ask another admin")
        return self.get(user_id)
