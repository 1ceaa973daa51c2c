"""API shapes of medication questions."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict


class MedicationQuestionOut(BaseModel):
    """A question the patient asked and the answer they got."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    patient_id: uuid.UUID
    conversation_id: uuid.UUID | None
    asked_at: datetime
    question: str
    answer: str
    medication_name: str | None
    time_reference: str | None
