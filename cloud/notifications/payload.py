"""What a notification says on every channel: title, text and the JSON a webhook receives."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID


@dataclass(frozen=True)
class OutgoingNotification:
    """One event as it leaves over one channel."""

    event_id: UUID
    event_type: str
    level: str
    title: str
    body: str
    created_at: datetime
    patient_id: UUID | None
    alert_id: UUID | None

    def as_json(self) -> dict[str, Any]:
        return {
            "event_id": str(self.event_id),
            "event_type": self.event_type,
            "level": self.level,
            "title": self.title,
            "body": self.body,
            "created_at": self.created_at.isoformat(),
            "patient_id": None if self.patient_id is None else str(self.patient_id),
            "alert_id": None if self.alert_id is None else str(self.alert_id),
        }

    def as_text(self) -> str:
        return f"{self.title}\n\n{self.body}\n\nLevel: {self.level}. Sent by MedMind.\n"
