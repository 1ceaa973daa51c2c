"""The result of one delivery attempt, shared by every channel sender."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DeliveryOutcome:
    """Delivered, or failed with an error that is worth retrying or not."""

    ok: bool
    error: str | None = None
    retryable: bool = False

    @classmethod
    def delivered(cls) -> DeliveryOutcome:
        return cls(ok=True)

    @classmethod
    def retry(cls, error: str) -> DeliveryOutcome:
        return cls(ok=False, error=error, retryable=True)

    @classmethod
    def give_up(cls, error: str) -> DeliveryOutcome:
        return cls(ok=False, error=error, retryable=False)
