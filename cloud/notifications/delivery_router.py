"""`/notifications/deliveries`: how the caller's notifications went out, failures included."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel

from cloud.api.pagination import Page, Paging, paginate
from cloud.deps import CurrentUser, DbSession
from cloud.notifications.channels import deliveries_of
from cloud.notifications.models import (
    ChannelKind,
    DeliveryStatus,
    NotificationDelivery,
)

router = APIRouter(prefix="/notifications/deliveries", tags=["notifications"])


class DeliveryOut(BaseModel):
    """One notification over one channel: sent, still retrying, or failed for good."""

    id: uuid.UUID
    notification_id: uuid.UUID
    title: str
    channel_kind: ChannelKind
    channel_target: str
    status: DeliveryStatus
    attempts: int
    next_attempt_at: datetime | None
    last_error: str | None
    sent_at: datetime | None
    created_at: datetime


def _out(row: Any) -> DeliveryOut:
    delivery, title, kind, target = row
    return DeliveryOut(
        id=delivery.id,
        notification_id=delivery.event_id,
        title=title,
        channel_kind=kind,
        channel_target=target,
        status=delivery.status,
        attempts=delivery.attempts,
        next_attempt_at=delivery.next_attempt_at,
        last_error=delivery.last_error,
        sent_at=delivery.sent_at,
        created_at=delivery.created_at,
    )


@router.get("", response_model=Page[DeliveryOut])
def my_deliveries(
    *,
    user: CurrentUser,
    db: DbSession,
    page: Paging,
    status: Annotated[
        DeliveryStatus | None, Query(description="Only deliveries in this state.")
    ] = None,
) -> Page[DeliveryOut]:
    """Deliveries of the caller's notifications over their channels, newest first."""
    statement = deliveries_of(user.id)
    if status is not None:
        statement = statement.where(NotificationDelivery.status == status)
    return paginate(db, statement, page, _out, scalars=False)
