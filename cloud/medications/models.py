"""A patient's medications, with the stock needed to predict refills."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from cloud.db.base import Base, Timestamped, UUIDPrimaryKey


class Medication(UUIDPrimaryKey, Timestamped, Base):
    """A medication a patient has, independent of when it is taken (that is the plan)."""

    __tablename__ = "medications"

    patient_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("patients.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str]
    strength: Mapped[str | None]
    form: Mapped[str | None]
    instructions: Mapped[str] = mapped_column(default="", server_default="")
    active: Mapped[bool] = mapped_column(default=True, server_default="true")
    quantity_dispensed: Mapped[float | None]
    dispensed_at: Mapped[datetime | None]
    quantity_per_dose: Mapped[float] = mapped_column(default=1.0, server_default="1")
    low_stock_days: Mapped[int | None]
    # Codings ({"system", "code", "display"}) exactly as a doctor entered or a clinic sent them;
    # no code list is bundled, so nothing here is looked up or rewritten.
    codes: Mapped[list[Any]] = mapped_column(default=list, server_default="[]")
