"""The one writer of `alert_logs`: raise once per cause, settle, escalate, and a person's say.

Whoever raises an alert (ingest for the device's own, the detectors, presence, voice) goes
through `AlertWriter`, so every alert follows the same rules:

* raise: an alert with a cause key is raised once per cause. While any alert holds the key
  (open, acknowledged or resolved) raising it again does nothing, so a new episode of a cause
  needs a new key (the offline alert names the moment the device was last heard, a low-stock
  alert its dispensing). The partial unique index on unresolved cause keys makes concurrent
  raisers safe. An alert without a cause key is raised once per id (the raiser's own id).
* settle: the cause is over (the dose was decided, the device is back, the stock refilled):
  the alert is resolved by no one and leaves the escalation ladder.
* escalate: the ladder moves an open alert to a step and schedules the next one.
* acknowledge, resolve: a person is on it / has dealt with it.

The writer never commits: ingest and the jobs write alerts inside their own transactions.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from cloud.alerts.models import AlertLog, AlertStatus
from cloud.errors import ConflictError
from shared.enums import AlertLevel, AlertType

# The columns a candidate selection (see `raise_selected`) yields, in this order.
CANDIDATE_COLUMNS = (
    "patient_id",
    "device_pk",
    "alert_type",
    "level",
    "message",
    "cause_key",
    "occurrence_id",
    "conversation_id",
)

_RAISE = """
INSERT INTO alert_logs (id, patient_id, device_pk, alert_type, level, status, source, message,
                        raised_at, cause_key, occurrence_id, conversation_id)
SELECT coalesce(c.id, gen_random_uuid()), c.patient_id, c.device_pk, c.alert_type, c.level,
       'open', c.source, c.message, c.raised_at, c.cause_key, c.occurrence_id, c.conversation_id
FROM ({candidates}) AS c
WHERE c.cause_key IS NULL
   OR NOT EXISTS (SELECT 1 FROM alert_logs a WHERE a.cause_key = c.cause_key)
ON CONFLICT DO NOTHING
RETURNING id
"""

_GIVEN = """
SELECT * FROM unnest(
    CAST(:ids AS uuid[]), CAST(:patient_ids AS uuid[]), CAST(:device_pks AS uuid[]),
    CAST(:alert_types AS text[]), CAST(:levels AS text[]), CAST(:messages AS text[]),
    CAST(:cause_keys AS text[]), CAST(:occurrence_ids AS uuid[]),
    CAST(:conversation_ids AS uuid[]), CAST(:sources AS text[]),
    CAST(:raised_ats AS timestamptz[])
) AS g(id, patient_id, device_pk, alert_type, level, message, cause_key, occurrence_id,
       conversation_id, source, raised_at)
"""

_RAISE_GIVEN = text(_RAISE.format(candidates=_GIVEN))

# The selection is computed once (materialized), then its alerts are updated by primary key: as
# a plain `id IN (...)` over alert_logs itself, the planner joined the table to itself row by row.
_SETTLE = """
WITH settled(id) AS MATERIALIZED ({selection})
UPDATE alert_logs AS a
SET status = 'resolved', resolved_at = :settled_at, next_escalation_at = NULL, updated_at = now()
FROM settled
WHERE a.id = settled.id AND a.status <> 'resolved'
"""

_ESCALATE = text(
    """
UPDATE alert_logs SET escalation_step = :step, next_escalation_at = :next_at, updated_at = now()
WHERE id = :id
"""
)


@dataclass(frozen=True)
class NewAlert:
    """An alert to raise; `id` is the raiser's own (a device's alert id) or a new one."""

    patient_id: uuid.UUID
    alert_type: AlertType
    level: AlertLevel
    message: str
    raised_at: datetime
    cause_key: str | None
    source: str = "cloud"
    device_pk: uuid.UUID | None = None
    occurrence_id: uuid.UUID | None = None
    conversation_id: uuid.UUID | None = None
    id: uuid.UUID = field(default_factory=uuid.uuid4)


def _count(result: object) -> int:
    return int(getattr(result, "rowcount", 0) or 0)


class AlertWriter:
    """Raises, settles and escalates alerts in the caller's transaction (never commits)."""

    def __init__(self, db: Session) -> None:
        self.db = db

    def raise_alerts(self, alerts: Sequence[NewAlert]) -> list[uuid.UUID]:
        """Raise each alert whose cause (or id) is new, in one statement; the ids raised."""
        if not alerts:
            return []
        params = {
            "ids": [a.id for a in alerts],
            "patient_ids": [a.patient_id for a in alerts],
            "device_pks": [a.device_pk for a in alerts],
            "alert_types": [a.alert_type.value for a in alerts],
            "levels": [a.level.value for a in alerts],
            "messages": [a.message for a in alerts],
            "cause_keys": [a.cause_key for a in alerts],
            "occurrence_ids": [a.occurrence_id for a in alerts],
            "conversation_ids": [a.conversation_id for a in alerts],
            "sources": [a.source for a in alerts],
            "raised_ats": [a.raised_at for a in alerts],
        }
        return list(self.db.scalars(_RAISE_GIVEN, params))

    def raise_alert(self, alert: NewAlert) -> uuid.UUID | None:
        """Raise one alert; its id, or None when its cause was already alerted."""
        raised = self.raise_alerts([alert])
        return raised[0] if raised else None

    def raise_selected(
        self, candidates: str, params: Mapping[str, Any], *, raised_at: datetime
    ) -> int:
        """Raise, set-wise, every alert a SQL selection names; how many were new.

        `candidates` is a SELECT yielding `CANDIDATE_COLUMNS` in order (the detectors' rules:
        which doses are overdue, which devices silent); the cloud raises them at `raised_at`.
        """
        columns = ", ".join(CANDIDATE_COLUMNS)
        selection = (
            f"SELECT NULL::uuid AS id, s.*, 'cloud' AS source, "
            f"CAST(:raised_at AS timestamptz) AS raised_at "
            f"FROM ({candidates}) AS s({columns})"
        )
        statement = text(_RAISE.format(candidates=selection))
        return len(self.db.execute(statement, {**params, "raised_at": raised_at}).all())

    def settle_selected(
        self, selection: str, params: Mapping[str, Any], *, settled_at: datetime
    ) -> int:
        """Resolve the unresolved alerts whose ids a SQL selection yields; how many."""
        statement = text(_SETTLE.format(selection=selection))
        return _count(self.db.execute(statement, {**params, "settled_at": settled_at}))

    def settle(self, alert_id: uuid.UUID, *, settled_at: datetime) -> int:
        """Resolve one alert, unless it is resolved already; how many (0 or 1)."""
        return self.settle_selected(
            "SELECT CAST(:alert_id AS uuid)", {"alert_id": alert_id}, settled_at=settled_at
        )

    def escalate(self, alert_id: uuid.UUID, step: int, next_at: datetime | None) -> None:
        """Record that the ladder reached `step`; `next_at` None ends the ladder."""
        self.db.execute(_ESCALATE, {"id": alert_id, "step": step, "next_at": next_at})

    def acknowledge(self, alert: AlertLog, user_id: uuid.UUID, at: datetime) -> None:
        """Someone is on it: stop escalating. Acknowledging twice keeps the first."""
        if alert.status is AlertStatus.RESOLVED:
            raise ConflictError("the alert is already resolved")
        if alert.status is AlertStatus.OPEN:
            alert.status = AlertStatus.ACKNOWLEDGED
            alert.acknowledged_by = user_id
            alert.acknowledged_at = at
            alert.next_escalation_at = None
            self.db.flush()

    def resolve(self, alert: AlertLog, user_id: uuid.UUID, at: datetime) -> None:
        """A person dealt with the cause. Resolving twice keeps the first."""
        if alert.status is not AlertStatus.RESOLVED:
            if alert.acknowledged_at is None:
                alert.acknowledged_by = user_id
                alert.acknowledged_at = at
            alert.status = AlertStatus.RESOLVED
            alert.resolved_by = user_id
            alert.resolved_at = at
            alert.next_escalation_at = None
            self.db.flush()
