"""A pending, accepted or revoked invitation to join a patient's care team."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from cloud.db.base import Base, Timestamped, UUIDPrimaryKey, value_enum
from shared.enums import Role


class Invitation(UUIDPrimaryKey, Timestamped, Base):
    """An emailed, single-use, expiring invitation; only the token's SHA-256 is stored."""

    __tablename__ = "invitations"

    patient_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("patients.id", ondelete="CASCADE"), index=True
    )
    email: Mapped[str]
    role: Mapped[Role] = mapped_column(value_enum(Role))
    relationship: Mapped[str | None]
    invited_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    token_hash: Mapped[str] = mapped_column(unique=True)
    expires_at: Mapped[datetime]
    accepted_at: Mapped[datetime | None]
    accepted_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    revoked_at: Mapped[datetime | None]
