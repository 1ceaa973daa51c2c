"""Moves alerts up the ladder: first notification of new alerts, escalation of unanswered ones.

Only `open` alerts move; acknowledging or resolving one (through the API) stops its ladder.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from cloud.alerts.writer import AlertWriter
from cloud.escalation.policy import Contacts, EscalationPolicy, Step, first_step, next_step
from cloud.notifications.fanout import Announcement, publish
from shared.enums import AlertLevel, AlertType

_NEW_ALERTS = text(
    """
SELECT a.id, a.patient_id, a.alert_type, a.level, a.message, a.escalation_step,
    p.full_name AS patient_name
FROM alert_logs a JOIN patients p ON p.id = a.patient_id
WHERE a.status = 'open' AND a.escalation_step = 0 AND a.next_escalation_at IS NULL
  AND a.raised_at >= CAST(:now AS timestamptz) - :lookback
  AND NOT EXISTS (SELECT 1 FROM notification_events e WHERE e.alert_id = a.id)
ORDER BY a.raised_at
FOR UPDATE OF a SKIP LOCKED
"""
)

_DUE_ALERTS = text(
    """
SELECT a.id, a.patient_id, a.alert_type, a.level, a.message, a.escalation_step,
    p.full_name AS patient_name
FROM alert_logs a JOIN patients p ON p.id = a.patient_id
WHERE a.status = 'open' AND a.next_escalation_at <= :now
ORDER BY a.next_escalation_at
FOR UPDATE OF a SKIP LOCKED
"""
)

_CONTACTS = text(
    """
SELECT 'caregiver' AS role, c.user_id, pc.is_primary AS first, u.created_at
FROM patient_caregiver pc
JOIN caregivers c ON c.id = pc.caregiver_id
JOIN users u ON u.id = c.user_id AND u.is_active
WHERE pc.patient_id = :patient_id
UNION ALL
SELECT 'doctor', d.user_id, false, u.created_at
FROM patient_doctor pd
JOIN doctors d ON d.id = pd.doctor_id
JOIN users u ON u.id = d.user_id AND u.is_active
WHERE pd.patient_id = :patient_id
ORDER BY 1, 3 DESC, 4
"""
)

TITLES = {
    AlertType.MISSED_DOSE: "Missed dose",
    AlertType.OVERDUE_DOSE: "Dose overdue",
    AlertType.EMERGENCY: "EMERGENCY",
    AlertType.DEVICE_OFFLINE: "Device offline",
    AlertType.LOW_STOCK: "Low stock",
    AlertType.SYMPTOM: "Symptom reported",
    AlertType.MAX_DOSE_REACHED: "As-needed limit reached",
}


@dataclass(frozen=True)
class LadderRun:
    """Alerts started, escalated and ended, and notification events created."""

    started: int = 0
    escalated: int = 0
    topped_out: int = 0
    events: int = 0


def contacts_of(db: Session, patient_id: uuid.UUID) -> Contacts:
    """The active caregivers (primary first) and doctors linked to a patient."""
    rows = db.execute(_CONTACTS, {"patient_id": patient_id}).all()
    return Contacts(
        caregivers=tuple(row.user_id for row in rows if row.role == "caregiver"),
        doctors=tuple(row.user_id for row in rows if row.role == "doctor"),
    )


def _announce(db: Session, alert: Any, step: Step, policy: EscalationPolicy, now: datetime) -> int:
    alert_type, level = AlertType(alert.alert_type), AlertLevel(alert.level)
    title = f"{TITLES[alert_type]}: {alert.patient_name}"
    body = alert.message
    if step.index > 0 and alert_type is not AlertType.EMERGENCY:
        minutes = int(policy.wait_for(level).total_seconds() // 60)
        title = f"Escalated - {title}"
        body += f"\nNobody acknowledged this alert within {minutes} minutes."
    events, _ = publish(
        db,
        step.recipients,
        Announcement(
            event_type=f"alert.{alert_type.value}",
            level=level.value,
            title=title,
            body=body,
            patient_id=alert.patient_id,
            alert_id=alert.id,
        ),
        dedupe_prefix=f"alert:{alert.id}:step:{step.index}",
        now=now,
    )
    return events


def climb(
    db: Session, now: datetime, policy: EscalationPolicy, *, lookback: timedelta
) -> LadderRun:
    """Notify new alerts' first step and escalate unacknowledged ones; caller commits."""
    started = escalated = topped_out = events = 0
    writer = AlertWriter(db)
    for alert in db.execute(_NEW_ALERTS, {"now": now, "lookback": lookback}).all():
        step = first_step(
            AlertType(alert.alert_type),
            level=AlertLevel(alert.level),
            contacts=contacts_of(db, alert.patient_id),
            now=now,
            policy=policy,
        )
        if step is None:
            continue
        events += _announce(db, alert, step, policy, now)
        writer.escalate(alert.id, step.index, step.next_escalation_at)
        started += 1
    for alert in db.execute(_DUE_ALERTS, {"now": now}).all():
        step = next_step(
            alert.escalation_step,
            alert_type=AlertType(alert.alert_type),
            level=AlertLevel(alert.level),
            contacts=contacts_of(db, alert.patient_id),
            now=now,
            policy=policy,
        )
        if step is None:
            writer.escalate(alert.id, alert.escalation_step, None)
            topped_out += 1
            continue
        events += _announce(db, alert, step, policy, now)
        writer.escalate(alert.id, step.index, step.next_escalation_at)
        escalated += 1
    return LadderRun(started, escalated, topped_out, events)
