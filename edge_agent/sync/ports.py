"""What the device sync needs from the rest of the agent (the store and the agent core)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from shared.messages import CommandBody
from shared.plan import MedicationPlan


class OutboxRow(Protocol):
    """One outgoing message as the store keeps it until the cloud acks it."""

    @property
    def message_id(self) -> object: ...

    @property
    def seq(self) -> int: ...

    @property
    def topic(self) -> str: ...

    @property
    def payload(self) -> bytes | str: ...


class SyncStore(Protocol):
    """The outbox side of the device's local store."""

    def outbox_batch(self, limit: int) -> Sequence[OutboxRow]: ...

    def delete_acked(self, message_ids: Sequence[str]) -> int: ...


class DownlinkHandler(Protocol):
    """The agent core: what it does with a plan or a command the cloud sent."""

    def on_plan(self, plan: MedicationPlan) -> object: ...

    def on_command(self, command: CommandBody) -> object: ...
