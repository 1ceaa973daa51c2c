"""API shapes of conversations, interactions and model calls."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from shared.enums import Intent


class LlmRequestOut(BaseModel):
    """One language-model pass."""

    model_config = ConfigDict(from_attributes=True)

    model_name: str
    model_version: str
    prompt: str
    output: str
    latency_ms: float
    prompt_tokens: int
    completion_tokens: int


class InteractionOut(BaseModel):
    """One utterance and what was made of it."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    conversation_id: uuid.UUID
    started_at: datetime
    transcript: str
    stt_engine: str | None
    stt_latency_ms: float | None
    intent: Intent
    understanding: dict[str, Any]
    understood_by: str
    reply: str
    latency_ms: float


class ConversationOut(BaseModel):
    """A conversation."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    patient_id: uuid.UUID
    channel: str
    started_at: datetime
    last_activity_at: datetime


class InteractionDetailOut(InteractionOut):
    """An interaction with its model calls."""

    llm_requests: list[LlmRequestOut] = []


class ConversationDetailOut(ConversationOut):
    """A conversation with its interactions in order."""

    interactions: list[InteractionDetailOut]
