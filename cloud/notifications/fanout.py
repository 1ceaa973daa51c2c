"""Fan-out: one notification event per user, one pending delivery per enabled channel.

Runs inside the caller's transaction (the escalation ladder publishes and moves the alert's
step together). Events carry a dedupe key, so publishing the same step twice is harmless.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from sqlalchemy import text
from sqlalchemy.orm import Session

_PUBLISH = text(
    """
WITH events AS (
    INSERT INTO notification_events
        (user_id, patient_id, alert_id, event_type, level, title, body, dedupe_key)
    SELECT u, :patient_id, :alert_id, :event_type, :level, :title, :body, :dedupe_prefix || ':' || u
    FROM unnest(CAST(:users AS uuid[])) AS u
    ON CONFLICT (dedupe_key) DO NOTHING
    RETURNING id, user_id
),
deliveries AS (
    INSERT INTO notification_deliveries (event_id, channel_id, status, attempts, next_attempt_at)
    SELECT e.id, c.id, 'pending', 0, :now
    FROM events e JOIN notification_channels c ON c.user_id = e.user_id AND c.enabled
    ON CONFLICT DO NOTHING
    RETURNING id
)
SELECT (SELECT count(*) FROM events) AS events, (SELECT count(*) FROM deliveries) AS deliveries
"""
)


@dataclass(frozen=True)
class Announcement:
    """What to tell: the same title and text for every recipient."""

    event_type: str
    level: str
    title: str
    body: str
    patient_id: UUID | None = None
    alert_id: UUID | None = None


def publish(
    db: Session,
    users: Sequence[UUID],
    announcement: Announcement,
    *,
    dedupe_prefix: str,
    now: datetime,
) -> tuple[int, int]:
    """Create the events and their pending deliveries; (events, deliveries) created."""
    if not users:
        return 0, 0
    row = db.execute(
        _PUBLISH,
        {
            "users": list(users),
            "patient_id": announcement.patient_id,
            "alert_id": announcement.alert_id,
            "event_type": announcement.event_type,
            "level": announcement.level,
            "title": announcement.title,
            "body": announcement.body,
            "dedupe_prefix": dedupe_prefix,
            "now": now,
        },
    ).one()
    return int(row.events), int(row.deliveries)
