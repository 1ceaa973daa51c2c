"""Notification delivery against a local webhook receiver and a local SMTP server."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from cloud.config import CloudSettings
from cloud.escalation.service import EscalationService
from cloud.notifications.backoff import RetryPolicy
from cloud.notifications.models import (
    ChannelKind,
    DeliveryStatus,
    NotificationChannel,
    NotificationDelivery,
)
from cloud.notifications.outcome import DeliveryOutcome
from cloud.notifications.payload import OutgoingNotification
from cloud.notifications.senders import ChannelSenders
from cloud.notifications.service import NotificationService
from cloud.notifications.settings import NotificationSettings
from cloud.notifications.webhook import verify
from cloud.users.models import User
from firmware_sim.embedded_broker import free_port
from shared.enums import AlertLevel, AlertType, Role
from tests.cloud.analytics.conftest import bearer
from tests.cloud.analytics.history import History
from tests.cloud.analytics.receivers import smtp_server, webhook_receiver

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
SECRET = "s3cret-signing-key"


def _settings(smtp_port: int, max_attempts: int = 3) -> NotificationSettings:
    return NotificationSettings(
        smtp_host="127.0.0.1",
        smtp_port=smtp_port,
        smtp_timeout_s=2,
        webhook_timeout_s=2,
        max_attempts=max_attempts,
        backoff_base_s=30,
        backoff_cap_s=600,
    )


def _emergency(history: History, webhook_url: str) -> None:
    ada = history.patient("Ada")
    carer = history.caregiver(ada)
    history.channel(carer, ChannelKind.WEBHOOK, webhook_url, SECRET)
    history.channel(carer, ChannelKind.EMAIL, "carer@example.org")
    history.channel(carer, ChannelKind.IN_APP, "feed")
    history.device_alert(ada, NOW, AlertType.EMERGENCY, AlertLevel.CRITICAL, "Help pressed")
    history.commit()


def _deliveries(db: Session) -> dict[str, NotificationDelivery]:
    db.expire_all()
    rows = db.execute(
        select(NotificationDelivery, NotificationDelivery.channel_id).order_by(
            NotificationDelivery.created_at
        )
    ).all()
    kinds = {c.id: c.kind.value for c in db.scalars(select(NotificationChannel))}
    return {kinds[channel_id]: delivery for delivery, channel_id in rows}


def test_retry_policy_doubles_the_wait_up_to_a_cap_and_stops_after_the_last_attempt() -> None:
    policy = RetryPolicy(max_attempts=5, base_delay_s=30, max_delay_s=100)
    assert [policy.delay_after(n).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 100, 100]
    assert policy.next_attempt_at(4, NOW) == NOW + timedelta(seconds=100)
    assert policy.next_attempt_at(5, NOW) is None


def test_an_alert_reaches_webhook_email_and_feed_with_webhook_retries(
    db: Session, history: History
) -> None:
    with webhook_receiver(500, 200) as hook, smtp_server() as smtp:
        _emergency(history, hook.url)
        assert EscalationService(db).run(NOW).ladder.events == 1
        service = NotificationService(db, _settings(smtp.port))

        first = service.deliver_due(NOW)
        assert (first.sent, first.retrying, first.failed) == (2, 1, 0)
        deliveries = _deliveries(db)
        assert deliveries["in_app"].status is DeliveryStatus.SENT
        assert deliveries["email"].status is DeliveryStatus.SENT
        webhook = deliveries["webhook"]
        assert (webhook.status, webhook.attempts, webhook.last_error) == (
            DeliveryStatus.PENDING,
            1,
            f"webhook {hook.url}: HTTP 500",
        )
        assert webhook.next_attempt_at == NOW + timedelta(seconds=30)

        assert service.deliver_due(NOW + timedelta(seconds=29)).attempted == 0, "backing off"
        assert service.deliver_due(NOW + timedelta(seconds=30)).sent == 1
        webhook = _deliveries(db)["webhook"]
        assert (webhook.status, webhook.attempts) == (DeliveryStatus.SENT, 2)

        (mail,) = smtp.inbox.messages
        assert mail["To"] == "carer@example.org"
        assert mail["Subject"] == "[MedMind] EMERGENCY: Ada"
        assert "Help pressed" in mail.get_payload()

        headers, body = hook.requests[-1]
        assert verify(SECRET, headers, body, NOW + timedelta(seconds=30))
        assert not verify("wrong-secret", headers, body, NOW + timedelta(seconds=30))
        assert not verify(SECRET, headers, body + b" ", NOW + timedelta(seconds=30))
        payload = json.loads(body)
        assert (payload["event_type"], payload["level"], payload["title"]) == (
            "alert.emergency",
            "critical",
            "EMERGENCY: Ada",
        )


def test_a_receiver_that_keeps_failing_ends_in_a_recorded_final_failure(
    db: Session, history: History, client: TestClient, cloud_settings: CloudSettings
) -> None:
    dead_port = free_port()  # nothing listens here: every email attempt fails to connect
    with webhook_receiver(503) as hook:
        _emergency(history, hook.url)
        EscalationService(db).run(NOW)
        service = NotificationService(db, _settings(dead_port, max_attempts=3))
        at = NOW
        for wait in (0, 30, 60):
            at += timedelta(seconds=wait)
            service.deliver_due(at)
        deliveries = _deliveries(db)
        for kind in ("webhook", "email"):
            failed = deliveries[kind]
            assert failed.status is DeliveryStatus.FAILED, kind
            assert failed.attempts == 3, kind
            assert failed.next_attempt_at is None
            assert failed.last_error
        assert "HTTP 503" in (deliveries["webhook"].last_error or "")
        assert len(hook.requests) == 3
        assert service.deliver_due(at + timedelta(hours=1)).attempted == 0

    carer = db.scalars(select(User).where(User.role == Role.CAREGIVER)).one()
    answer = client.get(
        "/api/v1/notifications/deliveries",
        params={"status": "failed"},
        headers=bearer(cloud_settings, carer),
    )
    assert answer.status_code == 200, answer.text
    visible = {item["channel_kind"]: item for item in answer.json()["items"]}
    assert set(visible) == {"webhook", "email"}, "the in-app delivery was sent"
    assert visible["webhook"]["attempts"] == 3
    assert "HTTP 503" in visible["webhook"]["last_error"]


def test_a_refusing_webhook_fails_at_once_without_retries(db: Session, history: History) -> None:
    with webhook_receiver(410) as hook, smtp_server() as smtp:
        _emergency(history, hook.url)
        EscalationService(db).run(NOW)
        NotificationService(db, _settings(smtp.port)).deliver_due(NOW)
        webhook = _deliveries(db)["webhook"]
        assert (webhook.status, webhook.attempts) == (DeliveryStatus.FAILED, 1)
        assert "HTTP 410" in (webhook.last_error or "")


class _BrokenSenders(ChannelSenders):
    """A sender with a bug: every attempt raises."""

    def send(
        self,
        kind: ChannelKind,
        target: str,
        secret: str | None,
        notification: OutgoingNotification,
        now: datetime,
    ) -> DeliveryOutcome:
        raise UnicodeEncodeError("ascii", "\u00e9", 0, 1, "ordinal not in range(128)")


def test_a_sender_that_raises_backs_off_instead_of_wedging_the_queue(
    db: Session, history: History
) -> None:
    with webhook_receiver(200) as hook:
        _emergency(history, hook.url)
    EscalationService(db).run(NOW)
    settings = _settings(free_port(), max_attempts=2)
    service = NotificationService(db, settings, _BrokenSenders(settings))
    first = service.deliver_due(NOW)
    assert (first.retrying, first.failed) == (3, 0), "each delivery was attempted"
    service.deliver_due(NOW + timedelta(seconds=30))
    for delivery in _deliveries(db).values():
        assert delivery.status is DeliveryStatus.FAILED
        assert (delivery.last_error or "").startswith("UnicodeEncodeError")
