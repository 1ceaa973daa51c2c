"""The current user's notifications feed and notification channels."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query, Response, status
from pydantic import BaseModel, ConfigDict
from sqlalchemy import or_, select

from cloud.api.pagination import Page, Paging, paginate
from cloud.deps import Access, CurrentUser, DbSession
from cloud.errors import NotFoundError
from cloud.notifications.channels import ChannelIn, ChannelService
from cloud.notifications.models import ChannelKind, NotificationEvent
from cloud.patients.access import visible
from shared.enums import AlertLevel

router = APIRouter(prefix="/notifications", tags=["notifications"])


class NotificationOut(BaseModel):
    """Something the user was told about."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    patient_id: uuid.UUID | None
    alert_id: uuid.UUID | None
    event_type: str
    level: AlertLevel
    title: str
    body: str
    read_at: datetime | None
    created_at: datetime


class ChannelOut(BaseModel):
    """A channel (its secret is never returned)."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    kind: ChannelKind
    target: str
    enabled: bool
    created_at: datetime


@router.get("", response_model=Page[NotificationOut])
def my_notifications(
    *,
    user: CurrentUser,
    access: Access,
    db: DbSession,
    page: Paging,
    unread: Annotated[bool, Query(description="Only notifications not yet read.")] = False,
) -> Page[NotificationOut]:
    """The caller's notifications about patients they may still see, newest first."""
    statement = (
        select(NotificationEvent)
        .where(NotificationEvent.user_id == user.id)
        .where(
            or_(
                NotificationEvent.patient_id.is_(None),
                visible(user, NotificationEvent.patient_id),
            )
        )
        .order_by(NotificationEvent.created_at.desc(), NotificationEvent.id)
    )
    if unread:
        statement = statement.where(NotificationEvent.read_at.is_(None))
    listed = paginate(db, statement, page, NotificationOut.model_validate)
    # Notifications tell of patients' alerts: each patient on the page is recorded.
    access.record(event.patient_id for event in listed.items)
    return listed


@router.post("/{notification_id}/read", response_model=NotificationOut)
def mark_read(user: CurrentUser, notification_id: uuid.UUID, db: DbSession) -> NotificationOut:
    """Mark one of the caller's notifications as read."""
    event = db.scalar(
        select(NotificationEvent).where(
            NotificationEvent.id == notification_id, NotificationEvent.user_id == user.id
        )
    )
    if event is None:
        raise NotFoundError("notification not found")
    if event.read_at is None:
        event.read_at = datetime.now(UTC)
        db.commit()
    return NotificationOut.model_validate(event)


@router.get("/channels", response_model=list[ChannelOut])
def my_channels(user: CurrentUser, db: DbSession) -> list[ChannelOut]:
    """The caller's notification channels."""
    return [ChannelOut.model_validate(c) for c in ChannelService(db).of_user(user.id)]


@router.post("/channels", response_model=ChannelOut, status_code=status.HTTP_201_CREATED)
def add_channel(user: CurrentUser, body: ChannelIn, db: DbSession) -> ChannelOut:
    """Add a channel for the caller."""
    return ChannelOut.model_validate(ChannelService(db).add(user.id, body))


@router.delete("/channels/{channel_id}", status_code=status.HTTP_204_NO_CONTENT)
def remove_channel(user: CurrentUser, channel_id: uuid.UUID, db: DbSession) -> Response:
    """Remove one of the caller's channels."""
    ChannelService(db).remove(user.id, channel_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
