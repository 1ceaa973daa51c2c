"""Which outbox rows to publish now: the in-flight window of the device sync.

The window is the first `max_in_flight` rows of the outbox in sequence order. A row is published
when it enters the window, and again if its ack has not come back within `ack_timeout_s` (a
broker may drop a queued message, or the worker that took it may have died). Losing the
connection forgets every send, because brokers lose queued QoS 1 messages (DESIGN.md): after the
next connect the whole window goes out again and the cloud, which dedupes, acks it again.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol, TypeVar


class HasMessageId(Protocol):
    @property
    def message_id(self) -> object: ...


RowT = TypeVar("RowT", bound=HasMessageId)


@dataclass
class InFlightWindow:
    """Send times of the rows published and not yet acked, keyed by message id text."""

    ack_timeout_s: float
    _sent_at: dict[str, float] = field(default_factory=dict)

    def due(self, window: Sequence[RowT], now: float) -> list[RowT]:
        """Rows of `window` (in order) never sent on this connection or whose ack is overdue."""
        present = {str(row.message_id) for row in window}
        for gone in set(self._sent_at) - present:
            del self._sent_at[gone]
        return [
            row
            for row in window
            if now - self._sent_at.get(str(row.message_id), -float("inf")) >= self.ack_timeout_s
        ]

    def mark_sent(self, message_id: object, now: float) -> None:
        """Remember that `message_id` went out at `now`."""
        self._sent_at[str(message_id)] = now

    def acked(self, message_ids: Iterable[object]) -> None:
        """The cloud acked these ids; they no longer need a resend."""
        for message_id in message_ids:
            self._sent_at.pop(str(message_id), None)

    def reset(self) -> None:
        """The connection changed: every row counts as unsent."""
        self._sent_at.clear()

    def next_deadline(self) -> float | None:
        """When the oldest send times out (monotonic seconds), or None with nothing in flight."""
        if not self._sent_at:
            return None
        return min(self._sent_at.values()) + self.ack_timeout_s

    def __len__(self) -> int:
        return len(self._sent_at)
