"""Account emails (password reset, invitation), sent through the notification SMTP channel."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from cloud.notifications.email import send_email
from cloud.notifications.settings import NotificationSettings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AccountEmail:
    """One email to one person."""

    recipient: str
    subject: str
    text: str


def send_account_email(settings: NotificationSettings, email: AccountEmail) -> None:
    """Send now (called after the response, so no answer reveals or waits on it); log failure."""
    # Names in a subject come from users: a line break there would break the header.
    subject = " ".join(" ".join(f"[MedMind] {email.subject}".splitlines()).split())
    outcome = send_email(settings, email.recipient, subject, email.text)
    if not outcome.ok:
        log.warning("account email to %s not sent: %s", email.recipient, outcome.error)
