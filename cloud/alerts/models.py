"""Alerts that need a person, with their acknowledgement and escalation state."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, text
from sqlalchemy.orm import Mapped, mapped_column

from cloud.db.base import Base, Timestamped, value_enum
from shared.enums import AlertLevel, AlertType


class AlertStatus(StrEnum):
    """Where an alert is in its life: open, acknowledged by a person, resolved."""

    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"


# One unresolved alert per cause: the partial unique index below uses exactly this predicate,
# and `ON CONFLICT (cause_key) WHERE <predicate>` must repeat it to infer the index.
UNRESOLVED_PREDICATE = "status <> 'resolved'"


class AlertLog(Timestamped, Base):
    """An alert; `id` is the alert id its raiser made (device or cloud job)."""

    __tablename__ = "alert_logs"
    __table_args__ = (
        Index(None, "patient_id", "raised_at"),
        Index(
            "uq_alert_logs_unresolved_cause_key",
            "cause_key",
            unique=True,
            postgresql_where=text(UNRESOLVED_PREDICATE),
        ),
        Index(
            "ix_alert_logs_escalation_due",
            "next_escalation_at",
            postgresql_where=text("status = 'open'"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"))
    device_pk: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("devices.id", ondelete="SET NULL")
    )
    alert_type: Mapped[AlertType] = mapped_column(value_enum(AlertType))
    level: Mapped[AlertLevel] = mapped_column(value_enum(AlertLevel))
    status: Mapped[AlertStatus] = mapped_column(
        value_enum(AlertStatus), default=AlertStatus.OPEN, server_default="open"
    )
    source: Mapped[str] = mapped_column(default="device", server_default="device")
    message: Mapped[str]
    raised_at: Mapped[datetime]
    cause_key: Mapped[str | None]
    # Plain ids (no foreign keys): an alert may arrive before what it refers to.
    occurrence_id: Mapped[uuid.UUID | None]
    conversation_id: Mapped[uuid.UUID | None]
    escalation_step: Mapped[int] = mapped_column(default=0, server_default="0")
    next_escalation_at: Mapped[datetime | None]
    acknowledged_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    acknowledged_at: Mapped[datetime | None]
    resolved_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    resolved_at: Mapped[datetime | None]
