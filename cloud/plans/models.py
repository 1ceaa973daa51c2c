"""Versioned medication plans: an edit stores a new version; old versions stay for history."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import ARRAY, ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cloud.db.base import Base, Timestamped, UUIDPrimaryKey


class MedicationPlan(UUIDPrimaryKey, Timestamped, Base):
    """One version of a patient's plan; `plan_id` is the lineage shared by all its versions."""

    __tablename__ = "medication_plans"
    __table_args__ = (
        UniqueConstraint("plan_id", "version"),
        # One current plan per patient: the one the devices run.
        Index(
            "uq_medication_plans_current_patient",
            "patient_id",
            unique=True,
            postgresql_where=text("is_current"),
        ),
    )

    patient_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("patients.id", ondelete="CASCADE"), index=True
    )
    plan_id: Mapped[uuid.UUID]
    version: Mapped[int]
    timezone: Mapped[str]
    is_current: Mapped[bool] = mapped_column(default=True, server_default="true")
    issued_at: Mapped[datetime]
    note: Mapped[str] = mapped_column(default="", server_default="")
    # The last local date whose occurrences are stored (the rolling horizon's watermark).
    expanded_through: Mapped[date | None]
    created_by_user_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )

    items: Mapped[list[MedicationPlanItem]] = relationship(
        order_by="MedicationPlanItem.position", lazy="selectin", cascade="all, delete-orphan"
    )


class MedicationPlanItem(UUIDPrimaryKey, Timestamped, Base):
    """One medication line of one plan version (`item_id` is stable across versions)."""

    __tablename__ = "medication_plan_items"
    __table_args__ = (UniqueConstraint("plan_version_id", "item_id"),)

    plan_version_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("medication_plans.id", ondelete="CASCADE")
    )
    item_id: Mapped[uuid.UUID] = mapped_column(index=True)
    position: Mapped[int] = mapped_column(default=0, server_default="0")
    medication_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("medications.id", ondelete="SET NULL"), index=True
    )
    medication_name: Mapped[str]
    dose: Mapped[float]
    unit: Mapped[str]
    instructions: Mapped[str] = mapped_column(default="", server_default="")
    times_of_day: Mapped[list[str]] = mapped_column(ARRAY(String(5)), default=list)
    days_of_week: Mapped[list[str]] = mapped_column(ARRAY(String(3)), default=list)
    every_n_days: Mapped[int] = mapped_column(default=1, server_default="1")
    start_date: Mapped[date]
    end_date: Mapped[date | None]
    as_needed: Mapped[bool] = mapped_column(default=False, server_default="false")
    max_per_day: Mapped[int | None]
    on_time_minutes: Mapped[int] = mapped_column(default=15, server_default="15")
    late_window_minutes: Mapped[int] = mapped_column(default=120, server_default="120")
    paused: Mapped[bool] = mapped_column(default=False, server_default="false")
