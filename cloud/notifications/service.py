"""NotificationService: works through due deliveries, one short transaction per delivery.

Each delivery is claimed with `FOR UPDATE SKIP LOCKED`, so several job runners can share the
queue. A failure that may pass is retried after an exponential backoff; the last failure (or
one that cannot pass, like a refused address) is recorded as `failed` with its error.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from cloud.notifications.models import ChannelKind, DeliveryStatus
from cloud.notifications.outcome import DeliveryOutcome
from cloud.notifications.payload import OutgoingNotification
from cloud.notifications.senders import ChannelSenders
from cloud.notifications.settings import NotificationSettings

_CLAIM = text(
    """
SELECT d.id, d.attempts, c.kind, c.target, c.secret, c.enabled,
    e.id AS event_id, e.event_type, e.level, e.title, e.body, e.created_at, e.patient_id,
    e.alert_id
FROM notification_deliveries d
JOIN notification_channels c ON c.id = d.channel_id
JOIN notification_events e ON e.id = d.event_id
WHERE d.status = 'pending' AND d.next_attempt_at <= :now
ORDER BY d.next_attempt_at, d.id
LIMIT 1
FOR UPDATE OF d SKIP LOCKED
"""
)

_RECORD = text(
    """
UPDATE notification_deliveries
SET attempts = :attempts, status = :status, next_attempt_at = :next_attempt_at,
    last_error = :last_error, sent_at = :sent_at, updated_at = now()
WHERE id = :id
"""
)


@dataclass(frozen=True)
class DeliveryRun:
    """What one pass over the queue did."""

    sent: int = 0
    retrying: int = 0
    failed: int = 0

    @property
    def attempted(self) -> int:
        return self.sent + self.retrying + self.failed


class NotificationService:
    """Delivers pending notification deliveries whose time has come."""

    def __init__(
        self,
        db: Session,
        settings: NotificationSettings | None = None,
        senders: ChannelSenders | None = None,
    ) -> None:
        self.db = db
        self.settings = settings or NotificationSettings()
        self.senders = senders or ChannelSenders(self.settings)

    def deliver_due(self, now: datetime, limit: int | None = None) -> DeliveryRun:
        """Attempt every delivery due at `now` (at most `limit`); each attempt is committed."""
        sent = retrying = failed = 0
        for _ in range(limit or self.settings.batch_size):
            status = self._deliver_one(now)
            if status is None:
                break
            if status is DeliveryStatus.SENT:
                sent += 1
            elif status is DeliveryStatus.FAILED:
                failed += 1
            else:
                retrying += 1
        return DeliveryRun(sent, retrying, failed)

    def _attempt(
        self, row: Any, notification: OutgoingNotification, now: datetime
    ) -> DeliveryOutcome:
        if not row.enabled:
            return DeliveryOutcome.give_up("channel disabled")
        try:
            return self.senders.send(
                ChannelKind(row.kind), row.target, row.secret, notification, now
            )
        except Exception as exc:
            # A sender bug must not wedge the queue: it is an attempt that failed, so the
            # delivery backs off and, in the end, fails for good with the error on record.
            return DeliveryOutcome.retry(f"{type(exc).__name__}: {exc}")

    def _deliver_one(self, now: datetime) -> DeliveryStatus | None:
        try:
            row = self.db.execute(_CLAIM, {"now": now}).one_or_none()
            if row is None:
                self.db.rollback()
                return None
            attempts = row.attempts + 1
            notification = OutgoingNotification(
                event_id=row.event_id,
                event_type=row.event_type,
                level=row.level,
                title=row.title,
                body=row.body,
                created_at=row.created_at,
                patient_id=row.patient_id,
                alert_id=row.alert_id,
            )
            outcome = self._attempt(row, notification, now)
            next_attempt_at = None
            if outcome.ok:
                status = DeliveryStatus.SENT
            else:
                retry_at = self.settings.retry_policy.next_attempt_at(attempts, now)
                if outcome.retryable and retry_at is not None:
                    status, next_attempt_at = DeliveryStatus.PENDING, retry_at
                else:
                    status = DeliveryStatus.FAILED
            self.db.execute(
                _RECORD,
                {
                    "id": row.id,
                    "attempts": attempts,
                    "status": status.value,
                    "next_attempt_at": next_attempt_at,
                    "last_error": outcome.error,
                    "sent_at": now if outcome.ok else None,
                },
            )
            self.db.commit()
        except BaseException:
            self.db.rollback()
            raise
        return status
