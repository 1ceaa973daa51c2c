"""Waiting for an account email in the web tests' mailbox."""

from __future__ import annotations

import time
from email.message import Message

from tests.cloud.analytics.receivers import SmtpServer


def wait_for_mail(
    mailbox: SmtpServer, recipient: str, count: int = 1, timeout_s: float = 10
) -> Message:
    """The `count`-th email to `recipient` (they are sent after the page's answer)."""
    deadline = time.monotonic() + timeout_s
    while True:
        received = [m for m in mailbox.inbox.messages if m["To"] == recipient]
        if len(received) >= count:
            return received[count - 1]
        assert time.monotonic() < deadline, f"no email #{count} to {recipient} within {timeout_s} s"
        time.sleep(0.1)


def mails_to(mailbox: SmtpServer, recipient: str) -> int:
    """How many emails `recipient` has been sent so far."""
    return sum(1 for m in mailbox.inbox.messages if m["To"] == recipient)
