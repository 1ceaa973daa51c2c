"""What ingest remembers: every stored message id (idempotency) and every rejected payload."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, Index
from sqlalchemy.orm import Mapped, mapped_column

from cloud.db.base import Base, Timestamped, UUIDPrimaryKey


class IngestedMessage(Timestamped, Base):
    """A message stored once; its id is the sender's message id, so a repeat is a no-op."""

    __tablename__ = "ingested_messages"
    __table_args__ = (Index(None, "device_id", "seq"),)

    message_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    device_id: Mapped[str]
    kind: Mapped[str]
    seq: Mapped[int] = mapped_column(BigInteger)
    sent_at: Mapped[datetime]
    # sent_at, or the corrected time for messages made while the device clock was not synced.
    effective_at: Mapped[datetime]
    clock_synced: Mapped[bool]
    received_at: Mapped[datetime]


class DeadLetter(UUIDPrimaryKey, Timestamped, Base):
    """A payload ingest could not accept, kept byte for byte with the reason."""

    __tablename__ = "dead_letters"
    __table_args__ = (Index(None, "received_at"),)

    topic: Mapped[str]
    device_id: Mapped[str | None] = mapped_column(index=True)
    message_id: Mapped[uuid.UUID | None]
    raw: Mapped[bytes]
    reason: Mapped[str]
    received_at: Mapped[datetime]
