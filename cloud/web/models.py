"""A signed-in browser: one row per web session, so logging out ends it on the server."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from cloud.db.base import Base, Timestamped, UUIDPrimaryKey


class WebSession(UUIDPrimaryKey, Timestamped, Base):
    """The browser holds a random token; only its SHA-256 is stored here."""

    __tablename__ = "web_sessions"

    token_hash: Mapped[str] = mapped_column(unique=True)
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    csrf_token: Mapped[str]
    expires_at: Mapped[datetime]
