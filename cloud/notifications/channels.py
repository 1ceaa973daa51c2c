"""A person's notification channels (add, list, remove) and what was delivered over them:
the one place the REST routes and the web app's settings page both call."""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from typing import Annotated, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cloud.errors import ConflictError, NotFoundError
from cloud.notifications.models import (
    ChannelKind,
    NotificationChannel,
    NotificationDelivery,
    NotificationEvent,
)

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_URL = re.compile(r"^https?://[^\s/]+(/\S*)?$")


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


def deliveries_of(
    user_id: uuid.UUID,
) -> Select[NotificationDelivery, str, ChannelKind, str]:
    """Deliveries of a user's notifications over their channels, newest first: each row the
    delivery, the notification's title, the channel's kind and target."""
    return (
        select(
            NotificationDelivery,
            NotificationEvent.title,
            NotificationChannel.kind,
            NotificationChannel.target,
        )
        .join(NotificationEvent, NotificationEvent.id == NotificationDelivery.event_id)
        .join(NotificationChannel, NotificationChannel.id == NotificationDelivery.channel_id)
        .where(NotificationEvent.user_id == user_id)
        .order_by(NotificationDelivery.created_at.desc(), NotificationDelivery.id)
    )


class ChannelService:
    """A user's own channels; owns its transaction."""

    def __init__(self, db: Session) -> None:
        self.db = db

    def of_user(self, user_id: uuid.UUID) -> Sequence[NotificationChannel]:
        """The user's channels, oldest first."""
        return self.db.scalars(
            select(NotificationChannel)
            .where(NotificationChannel.user_id == user_id)
            .order_by(NotificationChannel.created_at, NotificationChannel.id)
        ).all()

    def add(self, user_id: uuid.UUID, spec: ChannelIn) -> NotificationChannel:
        """A new channel for the user; 409 if the same one exists."""
        channel = NotificationChannel(id=uuid.uuid4(), user_id=user_id, **spec.model_dump())
        self.db.add(channel)
        try:
            self.db.commit()
        except IntegrityError:
            self.db.rollback()
            raise ConflictError("this channel already exists") from None
        return channel

    def remove(self, user_id: uuid.UUID, channel_id: uuid.UUID) -> None:
        """Remove one of the user's channels; 404 for anyone else's."""
        channel = self.db.scalar(
            select(NotificationChannel).where(
                NotificationChannel.id == channel_id, NotificationChannel.user_id == user_id
            )
        )
        if channel is None:
            raise NotFoundError("channel not found")
        self.db.delete(channel)
        self.db.commit()
