"""Presence on `.../status`: a retained `{"state", "at"}` set by the device, cleared by its Will."""

from __future__ import annotations

from datetime import datetime

from pydantic import AwareDatetime

from shared.enums import PresenceState
from shared.plan import ContractModel


class PresenceStatus(ContractModel):
    """Retained payload of a device's status topic (not an envelope: the broker sends the Will)."""

    state: PresenceState
    at: AwareDatetime

    def to_json(self) -> bytes:
        return self.model_dump_json().encode()


def presence(state: PresenceState, at: datetime) -> bytes:
    """Payload for the status topic."""
    return PresenceStatus(state=state, at=at).to_json()
