"""Conversations and interactions (device and cloud voice)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response
from sqlalchemy import select

from cloud.api.pagination import Columns, Dates, Page, Paging, patient_list
from cloud.conversations.models import Conversation, InteractionLog, LlmRequest
from cloud.conversations.schemas import (
    ConversationDetailOut,
    ConversationOut,
    InteractionDetailOut,
    InteractionOut,
    LlmRequestOut,
)
from cloud.db.base import table_of
from cloud.deps import DbSession, VisiblePatient
from cloud.errors import NotFoundError
from shared.enums import Intent

router = APIRouter(prefix="/patients/{patient_id}", tags=["conversations"])
_CONVERSATION = Columns(ConversationOut, table_of(Conversation))
_INTERACTION = Columns(InteractionOut, table_of(InteractionLog))


@router.get("/conversations", response_model=Page[ConversationOut])
def list_conversations(
    patient: VisiblePatient, db: DbSession, page: Paging, dates: Dates
) -> Response:
    """Conversations started on the patient's local dates `from`..`to`, newest first."""
    return patient_list(
        db, _CONVERSATION, patient, page, dates, newest_first=Conversation.started_at
    )


@router.get("/conversations/{conversation_id}", response_model=ConversationDetailOut)
def get_conversation(
    patient: VisiblePatient, conversation_id: uuid.UUID, db: DbSession
) -> ConversationDetailOut:
    """One conversation with every interaction and model call."""
    conversation = db.scalar(
        select(Conversation).where(
            Conversation.id == conversation_id, Conversation.patient_id == patient.id
        )
    )
    if conversation is None:
        raise NotFoundError("conversation not found")
    interactions = db.scalars(
        select(InteractionLog)
        .where(InteractionLog.conversation_id == conversation.id)
        .order_by(InteractionLog.started_at, InteractionLog.id)
    ).all()
    calls = db.scalars(
        select(LlmRequest)
        .where(LlmRequest.interaction_id.in_([i.id for i in interactions]))
        .order_by(LlmRequest.created_at)
    ).all()
    details = []
    for interaction in interactions:
        detail = InteractionDetailOut.model_validate(interaction)
        detail.llm_requests = [
            LlmRequestOut.model_validate(c) for c in calls if c.interaction_id == interaction.id
        ]
        details.append(detail)
    return ConversationDetailOut(
        **ConversationOut.model_validate(conversation).model_dump(), interactions=details
    )


@router.get("/interactions", response_model=Page[InteractionOut])
def list_interactions(
    *,
    patient: VisiblePatient,
    db: DbSession,
    page: Paging,
    dates: Dates,
    intent: Annotated[Intent | None, Query(description="Only this intent.")] = None,
) -> Response:
    """Interactions on the patient's local dates `from`..`to`, newest first."""
    return patient_list(
        db,
        _INTERACTION,
        patient,
        page,
        dates,
        newest_first=InteractionLog.started_at,
        only={InteractionLog.intent: intent},
    )
