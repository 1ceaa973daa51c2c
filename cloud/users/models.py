"""People who log in to the REST API."""

from __future__ import annotations

from datetime import datetime

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
