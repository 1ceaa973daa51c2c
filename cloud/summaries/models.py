"""Adherence summaries per patient and day / week, filled by the analytics jobs."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from cloud.db.base import Base, Timestamped, UUIDPrimaryKey


class _AdherenceCounts:
    """Counts and rates shared by the daily and weekly summaries."""

    scheduled: Mapped[int] = mapped_column(default=0, server_default="0")
    on_time: Mapped[int] = mapped_column(default=0, server_default="0")
    late: Mapped[int] = mapped_column(default=0, server_default="0")
    missed: Mapped[int] = mapped_column(default=0, server_default="0")
    skipped: Mapped[int] = mapped_column(default=0, server_default="0")
    pending: Mapped[int] = mapped_column(default=0, server_default="0")
    adherence_pct: Mapped[float | None]
    on_time_pct: Mapped[float | None]
    mean_minutes_late: Mapped[float | None]
    as_needed_doses: Mapped[int] = mapped_column(default=0, server_default="0")
    symptoms: Mapped[int] = mapped_column(default=0, server_default="0")
    alerts: Mapped[int] = mapped_column(default=0, server_default="0")
    # Set when new data arrived for the period after it was computed.
    stale: Mapped[bool] = mapped_column(default=False, server_default="false")
    computed_at: Mapped[datetime]


class DailyPatientSummary(_AdherenceCounts, UUIDPrimaryKey, Timestamped, Base):
    """One patient's adherence on one local date."""

    __tablename__ = "daily_patient_summaries"
    __table_args__ = (UniqueConstraint("patient_id", "summary_date"),)

    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"))
    summary_date: Mapped[date]


class WeeklyPatientSummary(_AdherenceCounts, UUIDPrimaryKey, Timestamped, Base):
    """One patient's adherence over the ISO week starting on Monday `week_start`."""

    __tablename__ = "weekly_patient_summaries"
    __table_args__ = (UniqueConstraint("patient_id", "week_start"),)

    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"))
    week_start: Mapped[date]
