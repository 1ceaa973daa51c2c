"""The current user's notifications feed and notification channels."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from typing import Annotated, Self

from fastapi import APIRouter, Query, Response, status
from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError

from cloud.api.pagination import Page, Paging, paginate
from cloud.deps import CurrentUser, DbSession
from cloud.errors import ConflictError, NotFoundError
from cloud.notifications.models import ChannelKind, NotificationChannel, NotificationEvent
from cloud.patients.access import visible
from shared.enums import AlertLevel

router = APIRouter(prefix="/notifications", tags=["notifications"])

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_URL = re.compile(r"^https?://[^\s/]+(/\S*)?$")


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


class ChannelIn(BaseModel):
    """A way to reach the user: a webhook URL, an email address, or the in-app feed."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"kind": "webhook", "target": "https://example.com/hooks/medmind"}]
        },
    )

    kind: ChannelKind
    target: Annotated[str, Field(max_length=500)] = ""
    secret: Annotated[str, Field(min_length=16, max_length=200)] | None = Field(
        default=None, description="Webhook signing secret (HMAC-SHA256); never shown again."
    )
    enabled: bool = True

    @model_validator(mode="after")
    def _target_fits_kind(self) -> Self:
        if self.kind is ChannelKind.WEBHOOK and not _URL.match(self.target):
            raise ValueError("a webhook target must be an http(s) URL")
        if self.kind is ChannelKind.EMAIL and not _EMAIL.match(self.target):
            raise ValueError("an email target must be an email address")
        if self.kind is not ChannelKind.WEBHOOK and self.secret is not None:
            raise ValueError("only webhooks have a secret")
        return self


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
    return paginate(db, statement, page, NotificationOut.model_validate)


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
    channels = db.scalars(
        select(NotificationChannel)
        .where(NotificationChannel.user_id == user.id)
        .order_by(NotificationChannel.created_at)
    )
    return [ChannelOut.model_validate(c) for c in channels]


@router.post("/channels", response_model=ChannelOut, status_code=status.HTTP_201_CREATED)
def add_channel(user: CurrentUser, body: ChannelIn, db: DbSession) -> ChannelOut:
    """Add a channel for the caller."""
    channel = NotificationChannel(id=uuid.uuid4(), user_id=user.id, **body.model_dump())
    db.add(channel)
    try:
        db.commit()
    except IntegrityError:
        db.rollback()
        raise ConflictError("this channel already exists") from None
    return ChannelOut.model_validate(channel)


@router.delete("/channels/{channel_id}", status_code=status.HTTP_204_NO_CONTENT)
def remove_channel(user: CurrentUser, channel_id: uuid.UUID, db: DbSession) -> Response:
    """Remove one of the caller's channels."""
    channel = db.scalar(
        select(NotificationChannel).where(
            NotificationChannel.id == channel_id, NotificationChannel.user_id == user.id
        )
    )
    if channel is None:
        raise NotFoundError("channel not found")
    db.delete(channel)
    db.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)
