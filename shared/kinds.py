"""Message kinds and which way each one travels."""

from __future__ import annotations

from enum import StrEnum


class Direction(StrEnum):
    """Which way a message travels."""

    UP = "up"
    DOWN = "down"


class Kind(StrEnum):
    """Every kind of message on the wire."""

    DOSE_EVENT = "dose_event"
    HEARTBEAT = "heartbeat"
    INTERACTION = "interaction"
    SYMPTOM = "symptom"
    MED_QUESTION = "med_question"
    ALERT = "alert"
    PLAN_APPLIED = "plan_applied"
    PLAN = "plan"
    ACK = "ack"
    COMMAND = "command"

    @property
    def direction(self) -> Direction:
        return Direction.DOWN if self in _DOWN_KINDS else Direction.UP


_DOWN_KINDS = frozenset({Kind.PLAN, Kind.ACK, Kind.COMMAND})
UP_KINDS = tuple(k for k in Kind if k not in _DOWN_KINDS)
DOWN_KINDS = tuple(k for k in Kind if k in _DOWN_KINDS)
