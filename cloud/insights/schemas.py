"""API shapes of health insights."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from shared.enums import AlertLevel


class InsightOut(BaseModel):
    """A pattern found in a patient's data, with its evidence."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    patient_id: uuid.UUID
    kind: str
    severity: AlertLevel
    title: str
    detail: str
    evidence: dict[str, Any]
    period_start: date
    period_end: date
    created_at: datetime
