"""Symptoms the patient reported."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index
from sqlalchemy.orm import Mapped, mapped_column

from cloud.db.base import Base, Timestamped, value_enum
from shared.enums import Severity


class SymptomLog(Timestamped, Base):
    """A reported symptom; `id` is the symptom id its reporter made (idempotent on repeats)."""

    __tablename__ = "symptom_logs"
    __table_args__ = (Index(None, "patient_id", "reported_at"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"))
    device_pk: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("devices.id", ondelete="SET NULL")
    )
    # No foreign key: a symptom may arrive before the interaction that opened its conversation.
    conversation_id: Mapped[uuid.UUID | None]
    reported_at: Mapped[datetime]
    symptom: Mapped[str]
    body_part: Mapped[str | None]
    severity: Mapped[Severity | None] = mapped_column(value_enum(Severity))
    note: Mapped[str] = mapped_column(default="", server_default="")
