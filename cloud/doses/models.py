"""Dose occurrences (one per plan item and local slot) and the events that decided them."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, text
from sqlalchemy.orm import Mapped, mapped_column

from cloud.db.base import Base, Timestamped, UUIDPrimaryKey, value_enum
from shared.enums import DoseSource, DoseStatus


class DoseOccurrence(Timestamped, Base):
    """A scheduled (or as-needed) dose. `id` is the shared occurrence id (UUID5 of item + slot)."""

    __tablename__ = "dose_occurrences"
    __table_args__ = (
        Index(None, "patient_id", "due_at"),
        Index(None, "patient_id", "local_date"),
        # The missed-dose job scans only what is still pending.
        Index(
            "ix_dose_occurrences_pending_missed_after",
            "missed_after",
            postgresql_where=text("status = 'pending'"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"))
    # Plan versions are history and are never deleted on their own.
    plan_version_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("medication_plans.id", ondelete="RESTRICT"), index=True
    )
    plan_id: Mapped[uuid.UUID]
    plan_version: Mapped[int]
    item_id: Mapped[uuid.UUID]
    medication_name: Mapped[str]
    dose: Mapped[float | None]
    unit: Mapped[str | None]
    local_date: Mapped[date]
    slot: Mapped[str]
    due_at: Mapped[datetime]
    on_time_until: Mapped[datetime]
    missed_after: Mapped[datetime]
    as_needed: Mapped[bool] = mapped_column(default=False, server_default="false")
    status: Mapped[DoseStatus] = mapped_column(
        value_enum(DoseStatus), default=DoseStatus.PENDING, server_default="pending"
    )
    decided_at: Mapped[datetime | None]
    source: Mapped[DoseSource | None] = mapped_column(value_enum(DoseSource))
    decided_by_event_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey(
            "dose_event_logs.id", ondelete="SET NULL", use_alter=True, name="fk_occ_decided_by"
        )
    )


class DoseEventLog(UUIDPrimaryKey, Timestamped, Base):
    """A decision about a dose as reported by a device (or made remotely by a person)."""

    __tablename__ = "dose_event_logs"
    __table_args__ = (Index(None, "patient_id", "decided_at"),)

    message_id: Mapped[uuid.UUID | None] = mapped_column(unique=True)
    occurrence_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("dose_occurrences.id", ondelete="CASCADE"), index=True
    )
    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"))
    device_pk: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("devices.id", ondelete="SET NULL")
    )
    recorded_by_user_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    status: Mapped[DoseStatus] = mapped_column(value_enum(DoseStatus))
    source: Mapped[DoseSource] = mapped_column(value_enum(DoseSource))
    decided_at: Mapped[datetime]
    received_at: Mapped[datetime]
    as_needed: Mapped[bool] = mapped_column(default=False, server_default="false")
    skip_reason: Mapped[str | None]
    reminders_sent: Mapped[int] = mapped_column(default=0, server_default="0")
    snoozes: Mapped[int] = mapped_column(default=0, server_default="0")
