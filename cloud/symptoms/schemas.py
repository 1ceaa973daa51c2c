"""API shapes of symptom logs."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict

from shared.enums import Severity


class SymptomOut(BaseModel):
    """A reported symptom."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    patient_id: uuid.UUID
    conversation_id: uuid.UUID | None
    reported_at: datetime
    symptom: str
    body_part: str | None
    severity: Severity | None
    note: str
