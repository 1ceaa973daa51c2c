"""API shape of an access-log entry."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict

from shared.enums import Role


class AccessLogOut(BaseModel):
    """One read or change of a patient's data: who, as what, what, where, when, from where."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    at: datetime
    user_id: uuid.UUID
    role: Role
    action: str
    patient_id: uuid.UUID
    resource: str
    path: str
    address: str | None
