"""Notification channels, the events people are notified of, and per-channel deliveries."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from cloud.db.base import Base, Timestamped, UUIDPrimaryKey, value_enum
from shared.enums import AlertLevel


class ChannelKind(StrEnum):
    """How a person is reached."""

    WEBHOOK = "webhook"
    EMAIL = "email"
    IN_APP = "in_app"


class DeliveryStatus(StrEnum):
    """Where one delivery attempt series stands."""

    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


class NotificationChannel(UUIDPrimaryKey, Timestamped, Base):
    """A way to reach a user (webhook URL, email address, or the in-app feed)."""

    __tablename__ = "notification_channels"
    __table_args__ = (UniqueConstraint("user_id", "kind", "target"),)

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[ChannelKind] = mapped_column(value_enum(ChannelKind))
    target: Mapped[str]
    # Webhook signing secret (HMAC); never returned by the API.
    secret: Mapped[str | None]
    enabled: Mapped[bool] = mapped_column(default=True, server_default="true")


class NotificationEvent(UUIDPrimaryKey, Timestamped, Base):
    """Something one user is told about (the in-app feed lists these)."""

    __tablename__ = "notification_events"
    __table_args__ = (Index(None, "user_id", "created_at"),)

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    patient_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("patients.id", ondelete="CASCADE"), index=True
    )
    alert_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("alert_logs.id", ondelete="SET NULL"), index=True
    )
    event_type: Mapped[str]
    level: Mapped[AlertLevel] = mapped_column(value_enum(AlertLevel))
    title: Mapped[str]
    body: Mapped[str] = mapped_column(default="", server_default="")
    # Makes re-running the job that creates events harmless.
    dedupe_key: Mapped[str | None] = mapped_column(unique=True)
    read_at: Mapped[datetime | None]


class NotificationDelivery(UUIDPrimaryKey, Timestamped, Base):
    """Delivery of one event over one channel, retried with backoff until sent or failed."""

    __tablename__ = "notification_deliveries"
    __table_args__ = (
        UniqueConstraint("event_id", "channel_id"),
        Index(
            "ix_notification_deliveries_due",
            "next_attempt_at",
            postgresql_where=text("status = 'pending'"),
        ),
    )

    event_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("notification_events.id", ondelete="CASCADE")
    )
    channel_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("notification_channels.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[DeliveryStatus] = mapped_column(
        value_enum(DeliveryStatus), default=DeliveryStatus.PENDING, server_default="pending"
    )
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    next_attempt_at: Mapped[datetime | None]
    last_error: Mapped[str | None]
    sent_at: Mapped[datetime | None]
