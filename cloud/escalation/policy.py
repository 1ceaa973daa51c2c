"""The escalation ladder as a pure function of the alert, the patient's contacts and the clock.

Step 0 tells the caregivers, step 1 the doctors, step 2 everyone linked to the patient; each
step waits for an acknowledgement before the next one. A step whose audience is empty (no doctor
linked) is passed over. Emergencies start at the top: everyone at once. Informational alerts
(low stock) tell the caregivers and never climb, since nobody needs waking for a refill.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from uuid import UUID

from shared.enums import AlertLevel, AlertType


class Audience(StrEnum):
    """Who a ladder step tells."""

    CAREGIVERS = "caregivers"
    DOCTORS = "doctors"
    EVERYONE = "everyone"


LADDER: tuple[Audience, ...] = (Audience.CAREGIVERS, Audience.DOCTORS, Audience.EVERYONE)


@dataclass(frozen=True)
class Contacts:
    """The user ids linked to one patient, by role."""

    caregivers: tuple[UUID, ...] = ()
    doctors: tuple[UUID, ...] = ()

    def of(self, audience: Audience) -> tuple[UUID, ...]:
        if audience is Audience.CAREGIVERS:
            return self.caregivers
        if audience is Audience.DOCTORS:
            return self.doctors
        return tuple(dict.fromkeys(self.caregivers + self.doctors))


@dataclass(frozen=True)
class EscalationPolicy:
    """How long each step waits for an acknowledgement (critical alerts wait less)."""

    ack_timeout: timedelta = timedelta(minutes=15)
    critical_ack_timeout: timedelta = timedelta(minutes=5)

    def wait_for(self, level: AlertLevel) -> timedelta:
        return self.critical_ack_timeout if level is AlertLevel.CRITICAL else self.ack_timeout


@dataclass(frozen=True)
class Step:
    """One rung taken: who to tell now, and when to climb again (None: the ladder ends here)."""

    index: int
    audience: Audience
    recipients: tuple[UUID, ...]
    next_escalation_at: datetime | None


def climbs(alert_type: AlertType, level: AlertLevel) -> bool:
    """Whether an unacknowledged alert of this kind escalates past the first step."""
    return level is not AlertLevel.INFO and alert_type is not AlertType.LOW_STOCK


def _step_from(
    index: int,
    *,
    contacts: Contacts,
    alert_type: AlertType,
    level: AlertLevel,
    now: datetime,
    policy: EscalationPolicy,
) -> Step | None:
    for position in range(index, len(LADDER)):
        audience = LADDER[position]
        recipients = contacts.of(audience)
        if not recipients:
            continue
        last = position == len(LADDER) - 1 or not climbs(alert_type, level)
        next_at = None if last else now + policy.wait_for(level)
        return Step(position, audience, recipients, next_at)
    return None


def first_step(
    alert_type: AlertType,
    *,
    level: AlertLevel,
    contacts: Contacts,
    now: datetime,
    policy: EscalationPolicy,
) -> Step | None:
    """The step a new alert starts on (None when the patient has no contacts at all)."""
    start = LADDER.index(Audience.EVERYONE) if alert_type is AlertType.EMERGENCY else 0
    return _step_from(
        start, contacts=contacts, alert_type=alert_type, level=level, now=now, policy=policy
    )


def next_step(
    current_index: int,
    *,
    alert_type: AlertType,
    level: AlertLevel,
    contacts: Contacts,
    now: datetime,
    policy: EscalationPolicy,
) -> Step | None:
    """The step after `current_index` for an alert nobody acknowledged (None: top reached)."""
    if not climbs(alert_type, level):
        return None
    return _step_from(
        current_index + 1,
        contacts=contacts,
        alert_type=alert_type,
        level=level,
        now=now,
        policy=policy,
    )
