"""Webhook delivery: a JSON POST signed with HMAC-SHA256 over the timestamp and the body.

The receiver recomputes `sha256=HMAC(secret, f"{timestamp}.{body}")` and compares it with
`X-MedMind-Signature`, and rejects stale timestamps, so a captured request cannot be replayed
later or altered in transit.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import httpx

from cloud.notifications.outcome import DeliveryOutcome

SIGNATURE_HEADER = "X-MedMind-Signature"
TIMESTAMP_HEADER = "X-MedMind-Timestamp"
EVENT_HEADER = "X-MedMind-Event"
# Status codes that mean "try again later"; any other 4xx is the receiver refusing for good.
RETRYABLE_STATUS = frozenset({408, 425, 429})


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The signature header value for `body` sent at unix `timestamp`."""
    message = str(timestamp).encode() + b"." + body
    digest = hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def verify(
    secret: str, headers: Mapping[str, str], body: bytes, now: datetime, tolerance_s: int = 300
) -> bool:
    """Whether a received request carries a valid, fresh signature (what a receiver runs)."""
    lowered = {key.lower(): value for key, value in headers.items()}
    try:
        timestamp = int(lowered[TIMESTAMP_HEADER.lower()])
        signature = lowered[SIGNATURE_HEADER.lower()]
    except (KeyError, ValueError):
        return False
    if abs(now.timestamp() - timestamp) > tolerance_s:
        return False
    return hmac.compare_digest(sign(secret, timestamp, body), signature)


def encode_payload(payload: Mapping[str, Any]) -> bytes:
    """Canonical JSON bytes of a payload (the exact bytes that are signed and sent)."""
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str).encode()


def send_webhook(
    url: str,
    secret: str,
    *,
    event_kind: str,
    payload: Mapping[str, Any],
    now: datetime,
    timeout_s: float = 5.0,
) -> DeliveryOutcome:
    """POST the signed payload; a 2xx is delivered, 5xx/timeouts retry, other 4xx give up."""
    body = encode_payload(payload)
    timestamp = int(now.timestamp())
    headers = {
        "Content-Type": "application/json",
        SIGNATURE_HEADER: sign(secret, timestamp, body),
        TIMESTAMP_HEADER: str(timestamp),
        EVENT_HEADER: event_kind,
    }
    try:
        response = httpx.post(url, content=body, headers=headers, timeout=timeout_s)
    except httpx.HTTPError as exc:
        return DeliveryOutcome.retry(f"webhook {url}: {type(exc).__name__}: {exc}")
    if response.is_success:
        return DeliveryOutcome.delivered()
    detail = f"webhook {url}: HTTP {response.status_code}"
    if response.status_code >= 500 or response.status_code in RETRYABLE_STATUS:
        return DeliveryOutcome.retry(detail)
    return DeliveryOutcome.give_up(detail)
