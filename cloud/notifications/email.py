"""Email delivery over SMTP (smtplib), optionally with STARTTLS and login."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage

from cloud.notifications.outcome import DeliveryOutcome
from cloud.notifications.settings import NotificationSettings


def build_message(sender: str, recipient: str, subject: str, text: str) -> EmailMessage:
    """A plain-text email."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = recipient
    message["Subject"] = subject
    message.set_content(text)
    return message


def send_email(
    settings: NotificationSettings, recipient: str, subject: str, text: str
) -> DeliveryOutcome:
    """Send one email; refused recipients give up, connection trouble retries."""
    message = build_message(settings.mail_from, recipient, subject, text)
    try:
        with smtplib.SMTP(
            settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout_s
        ) as smtp:
            if settings.smtp_starttls:
                smtp.starttls()
            if settings.smtp_username and settings.smtp_password:
                smtp.login(settings.smtp_username, settings.smtp_password)
            smtp.send_message(message)
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _ in exc.recipients.values()]
        detail = f"smtp refused {recipient}: {exc.recipients}"
        # 5xx is a permanent refusal (no such mailbox); 4xx may pass later.
        if all(code >= 500 for code in codes):
            return DeliveryOutcome.give_up(detail)
        return DeliveryOutcome.retry(detail)
    except (smtplib.SMTPException, OSError) as exc:
        return DeliveryOutcome.retry(f"smtp {settings.smtp_host}:{settings.smtp_port}: {exc}")
    return DeliveryOutcome.delivered()
