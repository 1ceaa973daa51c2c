"""One body model per message kind. The envelope (`shared.envelope`) carries exactly one."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Annotated, Any, ClassVar
from uuid import UUID

from pydantic import Field, field_validator

from shared.enums import (
    AlertLevel,
    AlertType,
    CommandName,
    DoseSource,
    DoseStatus,
    Intent,
    Severity,
)
from shared.kinds import Kind
from shared.plan import ContractModel, MedicationPlan

Text = Annotated[str, Field(max_length=2000)]
Name = Annotated[str, Field(max_length=120)]
MAX_ACK_IDS = 500


class MessageBody(ContractModel):
    """Base of every body; `KIND` ties a body class to its kind."""

    KIND: ClassVar[Kind]


class DoseEventBody(MessageBody):
    """A dose occurrence was decided on the device: taken (on time / late), skipped or missed.

    As-needed doses have no scheduled occurrence: `as_needed` is true, `due_at` is the moment it
    was taken, and `occurrence_id` is `shared.schedule.as_needed_occurrence_id(item_id, due_at)`.
    """

    KIND: ClassVar[Kind] = Kind.DOSE_EVENT
    occurrence_id: UUID
    plan_id: UUID
    plan_version: Annotated[int, Field(ge=1)]
    item_id: UUID
    medication_name: Name
    local_date: date
    slot: Annotated[str, Field(max_length=5)]
    due_at: datetime
    status: DoseStatus
    decided_at: datetime
    source: DoseSource
    as_needed: bool = False
    skip_reason: Annotated[str, Field(max_length=200)] | None = None
    reminders_sent: Annotated[int, Field(ge=0, le=1000)] = 0
    snoozes: Annotated[int, Field(ge=0, le=1000)] = 0


class HeartbeatBody(MessageBody):
    """The device is alive: what it runs and how far behind its sync is."""

    KIND: ClassVar[Kind] = Kind.HEARTBEAT
    uptime_s: Annotated[float, Field(ge=0)]
    outbox_depth: Annotated[int, Field(ge=0)]
    plan_version: Annotated[int, Field(ge=0)] | None = None
    software_version: Name
    clock_synced: bool = True
    last_ack_at: datetime | None = None
    voice_models: list[Name] = Field(default_factory=list, max_length=8)


class LlmCall(ContractModel):
    """One model pass, recorded for the cloud's `llm_requests`."""

    model_name: Name
    model_version: Name
    prompt: Annotated[str, Field(max_length=16_000)]
    output: Annotated[str, Field(max_length=4000)]
    latency_ms: Annotated[float, Field(ge=0)]
    prompt_tokens: Annotated[int, Field(ge=0)] = 0
    completion_tokens: Annotated[int, Field(ge=0)] = 0


class InteractionBody(MessageBody):
    """One spoken exchange: what was heard, what it was understood as, what the device said."""

    KIND: ClassVar[Kind] = Kind.INTERACTION
    conversation_id: UUID
    started_at: datetime
    transcript: Text
    stt_engine: Name | None = None
    stt_latency_ms: Annotated[float, Field(ge=0)] | None = None
    intent: Intent
    understanding: dict[str, Any] = Field(
        default_factory=dict, description="The structured result of the understanding pass."
    )
    understood_by: Annotated[str, Field(max_length=40)] = Field(
        default="rules", description='"rules", "classifier" or "llm".'
    )
    reply: Text = ""
    latency_ms: Annotated[float, Field(ge=0)] = 0.0
    llm: LlmCall | None = None

    @field_validator("understanding")
    @classmethod
    def _finite(cls, value: dict[str, Any]) -> dict[str, Any]:
        # Free-form JSON still takes no Infinity or NaN (nor can PostgreSQL's jsonb store them).
        try:
            json.dumps(value, allow_nan=False)
        except ValueError:
            raise ValueError("understanding must not contain Infinity or NaN") from None
        return value


class SymptomBody(MessageBody):
    """The patient reported a symptom."""

    KIND: ClassVar[Kind] = Kind.SYMPTOM
    symptom_id: UUID
    conversation_id: UUID | None = None
    reported_at: datetime
    symptom: Name
    body_part: Name | None = None
    severity: Severity | None = None
    note: Text = ""


class MedQuestionBody(MessageBody):
    """The patient asked about their medication and what the device answered."""

    KIND: ClassVar[Kind] = Kind.MED_QUESTION
    question_id: UUID
    conversation_id: UUID | None = None
    asked_at: datetime
    question: Text
    answer: Text
    medication_name: Name | None = None
    time_reference: Name | None = None


class AlertBody(MessageBody):
    """Something needs a person: an emergency, a missed dose, an as-needed limit reached."""

    KIND: ClassVar[Kind] = Kind.ALERT
    alert_id: UUID
    alert_type: AlertType
    level: AlertLevel
    raised_at: datetime
    message: Text
    occurrence_id: UUID | None = None
    conversation_id: UUID | None = None


class PlanAppliedBody(MessageBody):
    """The device now runs this plan version."""

    KIND: ClassVar[Kind] = Kind.PLAN_APPLIED
    plan_id: UUID
    version: Annotated[int, Field(ge=1)]
    applied_at: datetime
    future_occurrences: Annotated[int, Field(ge=0)] = 0


class PlanBody(MessageBody):
    """The full current plan for the device (retained)."""

    KIND: ClassVar[Kind] = Kind.PLAN
    plan: MedicationPlan


class AckBody(MessageBody):
    """The cloud has durably stored (or dead-lettered) these message ids; drop them."""

    KIND: ClassVar[Kind] = Kind.ACK
    message_ids: Annotated[list[UUID], Field(min_length=1, max_length=MAX_ACK_IDS)]


class CommandBody(MessageBody):
    """An instruction for the device (say something now; sync now)."""

    KIND: ClassVar[Kind] = Kind.COMMAND
    command_id: UUID
    command: CommandName
    text: Annotated[str, Field(max_length=500)] | None = None


BODY_MODELS: dict[Kind, type[MessageBody]] = {
    model.KIND: model
    for model in (
        DoseEventBody,
        HeartbeatBody,
        InteractionBody,
        SymptomBody,
        MedQuestionBody,
        AlertBody,
        PlanAppliedBody,
        PlanBody,
        AckBody,
        CommandBody,
    )
}
