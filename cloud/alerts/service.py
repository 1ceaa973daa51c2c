"""Alerts as people see them: read, acknowledge (stops the escalation ladder), resolve.

Every write goes through `cloud.alerts.writer.AlertWriter`, the one writer of alerts; this
service adds the transaction around a person's acknowledgement or resolution.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cloud.alerts.models import AlertLog, AlertStatus
from cloud.alerts.writer import AlertWriter
from cloud.errors import NotFoundError


class AlertService:
    """Reads alerts and records a person's acknowledgement or resolution; owns its transaction."""

    def __init__(self, db: Session) -> None:
        self.db = db

    def get(self, alert_id: uuid.UUID) -> AlertLog:
        """The alert; 404 if unknown."""
        alert = self.db.get(AlertLog, alert_id)
        if alert is None:
            raise NotFoundError("alert not found")
        return alert

    def acknowledge(self, alert: AlertLog, user_id: uuid.UUID, now: datetime) -> AlertLog:
        """Someone is on it: stop escalating. Acknowledging twice keeps the first."""
        AlertWriter(self.db).acknowledge(alert, user_id, now)
        self.db.commit()
        return alert

    def resolve(self, alert: AlertLog, user_id: uuid.UUID, now: datetime) -> AlertLog:
        """The cause is dealt with. Resolving twice keeps the first."""
        AlertWriter(self.db).resolve(alert, user_id, now)
        self.db.commit()
        return alert

    def open_for_patient(self, patient_id: uuid.UUID) -> list[AlertLog]:
        """The patient's unresolved alerts, newest first."""
        return list(
            self.db.scalars(
                select(AlertLog)
                .where(AlertLog.patient_id == patient_id, AlertLog.status != AlertStatus.RESOLVED)
                .order_by(AlertLog.raised_at.desc())
            )
        )

    def open_counts(self, patient_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, int]:
        """How many unresolved alerts each of these patients has (0 included)."""
        counts = dict.fromkeys(patient_ids, 0)
        rows = self.db.execute(
            select(AlertLog.patient_id, func.count())
            .where(
                AlertLog.patient_id.in_(list(patient_ids)),
                AlertLog.status != AlertStatus.RESOLVED,
            )
            .group_by(AlertLog.patient_id)
        ).all()
        counts.update({patient_id: count for patient_id, count in rows})
        return counts
