"""Channel senders: deliver one notification over a webhook, email, or the in-app feed."""

from __future__ import annotations

from datetime import datetime

from cloud.notifications.email import send_email
from cloud.notifications.models import ChannelKind
from cloud.notifications.outcome import DeliveryOutcome
from cloud.notifications.payload import OutgoingNotification
from cloud.notifications.settings import NotificationSettings
from cloud.notifications.webhook import send_webhook


class ChannelSenders:
    """Sends over each kind of channel with the configured SMTP server and timeouts."""

    def __init__(self, settings: NotificationSettings) -> None:
        self.settings = settings

    def send(
        self,
        kind: ChannelKind,
        target: str,
        secret: str | None,
        notification: OutgoingNotification,
        now: datetime,
    ) -> DeliveryOutcome:
        """One attempt; the in-app feed is the stored event itself, so it is delivered at once."""
        if kind is ChannelKind.IN_APP:
            return DeliveryOutcome.delivered()
        if kind is ChannelKind.EMAIL:
            return send_email(
                self.settings, target, f"[MedMind] {notification.title}", notification.as_text()
            )
        if not secret:
            return DeliveryOutcome.give_up("webhook channel has no signing secret")
        return send_webhook(
            target,
            secret,
            event_kind=notification.event_type,
            payload=notification.as_json(),
            now=now,
            timeout_s=self.settings.webhook_timeout_s,
        )
