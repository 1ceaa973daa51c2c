"""Health insights: patterns the analytics found, with the evidence behind them."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import ForeignKey, Index, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from cloud.db.base import Base, Timestamped, UUIDPrimaryKey, value_enum
from shared.enums import AlertLevel


class HealthInsight(UUIDPrimaryKey, Timestamped, Base):
    """One insight of one kind for one patient and period (re-computing replaces it)."""

    __tablename__ = "health_insights"
    __table_args__ = (
        UniqueConstraint("patient_id", "kind", "period_start", "period_end"),
        Index(None, "patient_id", "period_end"),
    )

    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"))
    kind: Mapped[str]
    severity: Mapped[AlertLevel] = mapped_column(value_enum(AlertLevel))
    title: Mapped[str]
    detail: Mapped[str] = mapped_column(default="", server_default="")
    evidence: Mapped[dict[str, Any]] = mapped_column(default=dict, server_default="{}")
    period_start: Mapped[date]
    period_end: Mapped[date]
