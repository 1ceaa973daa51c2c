"""API shapes of the voice endpoint."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from shared.enums import Intent


class TranscriptIn(BaseModel):
    """What the device heard (when it transcribed locally)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"transcript": "what do I take tonight"}]},
    )

    transcript: Annotated[str, Field(min_length=1, max_length=2000)]
    conversation_id: uuid.UUID | None = None
    alternatives: Annotated[list[Annotated[str, Field(max_length=2000)]], Field(max_length=5)] = []
    stt_engine: Annotated[str, Field(max_length=40)] | None = None
    stt_latency_ms: Annotated[float, Field(ge=0, le=600_000)] | None = None


class VoiceOut(BaseModel):
    """What was understood, the reply to speak, and what was recorded."""

    conversation_id: uuid.UUID
    interaction_id: uuid.UUID
    transcript: str
    stt_engine: str | None
    intent: Intent
    understanding: dict[str, Any]
    reply: str
    alert_id: uuid.UUID | None = None
    symptom_id: uuid.UUID | None = None
