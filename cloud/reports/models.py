"""Stored health reports (HTML and PDF) for a patient and date range."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import ForeignKey, Index
from sqlalchemy.orm import Mapped, mapped_column

from cloud.db.base import Base, Timestamped, UUIDPrimaryKey


class HealthReport(UUIDPrimaryKey, Timestamped, Base):
    """A report as generated; kept so the same document can be fetched again."""

    __tablename__ = "health_reports"
    __table_args__ = (Index(None, "patient_id", "generated_at"),)

    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"))
    range_start: Mapped[date]
    range_end: Mapped[date]
    title: Mapped[str] = mapped_column(default="", server_default="")
    html: Mapped[str]
    pdf: Mapped[bytes | None]
    generated_at: Mapped[datetime]
    generated_by_user_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
