"""Spoken exchanges with the device or the cloud voice endpoint, and the model calls behind them."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index
from sqlalchemy.orm import Mapped, mapped_column

from cloud.db.base import Base, Timestamped, UUIDPrimaryKey, value_enum
from shared.enums import Intent


class Conversation(Timestamped, Base):
    """A conversation; `id` is the conversation id the device made."""

    __tablename__ = "conversations"
    __table_args__ = (Index(None, "patient_id", "started_at"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"))
    device_pk: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("devices.id", ondelete="SET NULL")
    )
    channel: Mapped[str] = mapped_column(default="device", server_default="device")
    started_at: Mapped[datetime]
    last_activity_at: Mapped[datetime]


class InteractionLog(UUIDPrimaryKey, Timestamped, Base):
    """One utterance: transcript, understood intent and structured result, the reply."""

    __tablename__ = "interaction_logs"
    __table_args__ = (Index(None, "patient_id", "started_at"),)

    message_id: Mapped[uuid.UUID | None] = mapped_column(unique=True)
    conversation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"))
    started_at: Mapped[datetime]
    transcript: Mapped[str]
    stt_engine: Mapped[str | None]
    stt_latency_ms: Mapped[float | None]
    intent: Mapped[Intent] = mapped_column(value_enum(Intent), index=True)
    understanding: Mapped[dict[str, Any]] = mapped_column(default=dict, server_default="{}")
    understood_by: Mapped[str] = mapped_column(default="rules", server_default="rules")
    reply: Mapped[str] = mapped_column(default="", server_default="")
    latency_ms: Mapped[float] = mapped_column(default=0.0, server_default="0")


class LlmRequest(UUIDPrimaryKey, Timestamped, Base):
    """One language-model pass made while understanding an interaction."""

    __tablename__ = "llm_requests"

    interaction_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("interaction_logs.id", ondelete="CASCADE"), index=True
    )
    patient_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("patients.id", ondelete="CASCADE"), index=True
    )
    model_name: Mapped[str]
    model_version: Mapped[str]
    prompt: Mapped[str]
    output: Mapped[str]
    latency_ms: Mapped[float]
    prompt_tokens: Mapped[int] = mapped_column(default=0, server_default="0")
    completion_tokens: Mapped[int] = mapped_column(default=0, server_default="0")
