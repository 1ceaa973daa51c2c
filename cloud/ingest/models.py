"""What ingest remembers: every stored message id (idempotency) and every rejected payload.

Both tables grow with every message and are partitioned by time (`cloud.partitions.tables`).
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, Index
from sqlalchemy.orm import Mapped, mapped_column

from cloud.db.base import Base, Timestamped, UUIDPrimaryKey


class IngestedMessage(Timestamped, Base):
    """A message stored once; its id is the sender's message id, so a repeat is a no-op.

    The key holds `sent_at` too, the partition key: a unique key of a partitioned table must
    hold it. A resend repeats the envelope byte for byte, so it meets its first copy.
    """

    __tablename__ = "ingested_messages"
    __table_args__ = (
        Index(None, "device_id", "seq"),
        {"postgresql_partition_by": "RANGE (sent_at)"},
    )

    message_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    device_id: Mapped[str]
    kind: Mapped[str]
    seq: Mapped[int] = mapped_column(BigInteger)
    sent_at: Mapped[datetime] = mapped_column(primary_key=True)
    # sent_at, or the corrected time for messages made while the device clock was not synced.
    effective_at: Mapped[datetime]
    clock_synced: Mapped[bool]
    received_at: Mapped[datetime]


class DeadLetter(UUIDPrimaryKey, Timestamped, Base):
    """A payload ingest could not accept, kept byte for byte with the reason."""

    __tablename__ = "dead_letters"
    __table_args__ = (
        Index(None, "received_at"),
        {"postgresql_partition_by": "RANGE (received_at)"},
    )

    topic: Mapped[str]
    device_id: Mapped[str | None] = mapped_column(index=True)
    message_id: Mapped[uuid.UUID | None]
    raw: Mapped[bytes]
    reason: Mapped[str]
    # In the key because it is the partition key.
    received_at: Mapped[datetime] = mapped_column(primary_key=True)
