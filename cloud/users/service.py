"""Users: creating accounts (with their role profile) and checking passwords."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from cloud.errors import ConflictError, NotFoundError
from cloud.patients.models import Caregiver, Doctor, Patient
from cloud.users.models import User
from cloud.users.passwords import DUMMY_HASH, hash_password, verify_password
from cloud.users.schemas import UserIn
from shared.enums import Role


class UserService:
    """Accounts and credentials; owns its transaction."""

    def __init__(self, db: Session) -> None:
        self.db = db

    def by_email(self, email: str) -> User | None:
        """The user with this email (case-insensitive)."""
        return self.db.scalar(select(User).where(User.email == email.strip().lower()))

    def authenticate(self, email: str, password: str) -> User | None:
        """The active user if the password matches; None otherwise (same cost either way)."""
        user = self.by_email(email)
        if user is None or not user.is_active:
            verify_password(password, DUMMY_HASH)
            return None
        if not verify_password(password, user.password_hash):
            return None
        user.last_login_at = datetime.now(UTC)
        self.db.commit()
        return user

    def create(self, spec: UserIn) -> User:
        """A new user (and their doctor or caregiver profile); 409 if the email is taken."""
        email = spec.email.strip().lower()
        if self.by_email(email) is not None:
            raise ConflictError(f"a user with email {email} already exists")
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
        if spec.role is Role.DOCTOR:
            self.db.add(Doctor(user_id=user.id))
        elif spec.role is Role.CAREGIVER:
            self.db.add(Caregiver(user_id=user.id))
        self.db.commit()
        return user

    def get(self, user_id: uuid.UUID) -> User:
        """The user; 404 if unknown."""
        user = self.db.get(User, user_id)
        if user is None:
            raise NotFoundError("user not found")
        return user

    def list(self, role: Role | None, limit: int, offset: int) -> Sequence[User]:
        """Users, optionally of one role, by email."""
        statement = select(User).order_by(User.email)
        if role is not None:
            statement = statement.where(User.role == role)
        return self.db.scalars(statement.limit(limit).offset(offset)).all()

    def patient_id_of(self, user: User) -> uuid.UUID | None:
        """The patient record of a user of role patient."""
        return self.db.scalar(select(Patient.id).where(Patient.user_id == user.id))
