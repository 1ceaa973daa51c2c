"""Alerts: raise once per cause, acknowledge (stops the escalation ladder), resolve.

`raise_alert` is how cloud jobs open an alert: with a `cause_key` it is a no-op while an
unresolved alert for that cause exists (the partial unique index on `cause_key` decides, so
concurrent jobs cannot double it). The escalation ladder (cloud/escalation) climbs only `open`
alerts; acknowledging moves an alert out of `open` and clears its next escalation.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from cloud.alerts.models import UNRESOLVED_PREDICATE, AlertLog, AlertStatus
from cloud.errors import ConflictError, NotFoundError
from shared.enums import AlertLevel, AlertType


class AlertService:
    """Alert life cycle; owns its transaction (except `raise_alert`, see its docstring)."""

    def __init__(self, db: Session) -> None:
        self.db = db

    def raise_alert(
        self,
        *,
        patient_id: uuid.UUID,
        alert_type: AlertType,
        level: AlertLevel,
        message: str,
        cause_key: str | None,
        raised_at: datetime | None = None,
        occurrence_id: uuid.UUID | None = None,
        device_pk: uuid.UUID | None = None,
        source: str = "cloud",
        next_escalation_at: datetime | None = None,
    ) -> uuid.UUID | None:
        """Insert an open alert unless one for `cause_key` is unresolved; its id, or None.

        Does not commit: jobs raise many alerts in their own transaction.
        """
        statement = (
            pg_insert(AlertLog)
            .values(
                id=uuid.uuid4(),
                patient_id=patient_id,
                device_pk=device_pk,
                alert_type=alert_type.value,
                level=level.value,
                status=AlertStatus.OPEN.value,
                source=source,
                message=message,
                raised_at=raised_at or datetime.now(UTC),
                cause_key=cause_key,
                occurrence_id=occurrence_id,
                next_escalation_at=next_escalation_at,
            )
            .on_conflict_do_nothing(
                index_elements=["cause_key"], index_where=text(UNRESOLVED_PREDICATE)
            )
            .returning(AlertLog.id)
        )
        return self.db.scalar(statement)

    def get(self, alert_id: uuid.UUID) -> AlertLog:
        """The alert; 404 if unknown."""
        alert = self.db.get(AlertLog, alert_id)
        if alert is None:
            raise NotFoundError("alert not found")
        return alert

    def acknowledge(self, alert: AlertLog, user_id: uuid.UUID) -> AlertLog:
        """Someone is on it: stop escalating. Acknowledging twice keeps the first."""
        if alert.status is AlertStatus.RESOLVED:
            raise ConflictError("the alert is already resolved")
        if alert.status is AlertStatus.OPEN:
            alert.status = AlertStatus.ACKNOWLEDGED
            alert.acknowledged_by = user_id
            alert.acknowledged_at = datetime.now(UTC)
            alert.next_escalation_at = None
            self.db.commit()
        return alert

    def resolve(self, alert: AlertLog, user_id: uuid.UUID) -> AlertLog:
        """The cause is dealt with. Resolving twice keeps the first."""
        if alert.status is not AlertStatus.RESOLVED:
            now = datetime.now(UTC)
            if alert.acknowledged_at is None:
                alert.acknowledged_by = user_id
                alert.acknowledged_at = now
            alert.status = AlertStatus.RESOLVED
            alert.resolved_by = user_id
            alert.resolved_at = now
            alert.next_escalation_at = None
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
