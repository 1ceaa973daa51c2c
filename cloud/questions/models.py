"""Questions the patient asked about their medication, and the answers given."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index
from sqlalchemy.orm import Mapped, mapped_column

from cloud.db.base import Base, Timestamped


class MedicationQuestionLog(Timestamped, Base):
    """A medication question; `id` is the question id its reporter made."""

    __tablename__ = "medication_question_logs"
    __table_args__ = (Index(None, "patient_id", "asked_at"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"))
    device_pk: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("devices.id", ondelete="SET NULL")
    )
    # No foreign key: messages of one conversation may arrive in any order.
    conversation_id: Mapped[uuid.UUID | None]
    asked_at: Mapped[datetime]
    question: Mapped[str]
    answer: Mapped[str]
    medication_name: Mapped[str | None]
    time_reference: Mapped[str | None]
