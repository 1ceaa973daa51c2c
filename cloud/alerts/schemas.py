"""API shapes of alerts."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict

from cloud.alerts.models import AlertStatus
from shared.enums import AlertLevel, AlertType


class AlertOut(BaseModel):
    """An alert and where it stands."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    patient_id: uuid.UUID
    alert_type: AlertType
    level: AlertLevel
    status: AlertStatus
    source: str
    message: str
    raised_at: datetime
    occurrence_id: uuid.UUID | None
    conversation_id: uuid.UUID | None
    escalation_step: int
    next_escalation_at: datetime | None
    acknowledged_by: uuid.UUID | None
    acknowledged_at: datetime | None
    resolved_by: uuid.UUID | None
    resolved_at: datetime | None
