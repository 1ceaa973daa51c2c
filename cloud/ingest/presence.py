"""Device presence: online/offline from the status topic, and alerts for silent devices.

A device announces `online` (retained) when it connects; its Last Will says `offline`. The
heartbeats and every other message keep `last_seen_at` fresh (ingest effects). A device silent
for longer than the configured time is marked offline and raises one `device_offline` alert per
silence episode (the cause key names the last moment it was seen), which its next `online`
resolves. The jobs runner calls `mark_silent_devices_offline` every minute.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from cloud.alerts.writer import AlertWriter, NewAlert
from cloud.devices.models import Device, DeviceEvent
from shared.enums import AlertLevel, AlertType, PresenceState

log = logging.getLogger(__name__)

OFFLINE_CAUSE_PREFIX = "device_offline:"

# Every device unheard since the cutoff goes offline, in one statement.
_MARK_SILENT = text(
    """
UPDATE devices SET online = false, updated_at = now()
WHERE last_seen_at < :cutoff
RETURNING id, device_id, patient_id, last_seen_at
"""
)

_OFFLINE_ALERTS_OF_DEVICE = (
    "SELECT id FROM alert_logs WHERE device_pk = :device_pk AND alert_type = 'device_offline'"
)


def offline_cause_key(device_id: str, last_seen_at: datetime) -> str:
    """The cause key of the offline alert for one silence episode of a device."""
    return f"{OFFLINE_CAUSE_PREFIX}{device_id}:{last_seen_at.isoformat()}"


class PresenceService:
    """Records presence changes; the caller commits (the ingest worker batches them)."""

    def __init__(self, db: Session) -> None:
        self.db = db

    def record(self, device_id: str, state: PresenceState, at: datetime) -> bool:
        """Apply one status message; False if the device is unknown."""
        device = self.db.scalar(select(Device).where(Device.device_id == device_id))
        if device is None:
            log.warning("status %s from unknown device %s", state.value, device_id)
            return False
        online = state is PresenceState.ONLINE
        if device.online != online:
            self.db.add(
                DeviceEvent(
                    device_pk=device.id,
                    event_type=f"went_{state.value}",
                    occurred_at=at,
                    detail={"source": "status"},
                )
            )
        device.online = online
        if online:
            device.last_seen_at = max(filter(None, (device.last_seen_at, at)))
            self._resolve_offline_alerts(device, at)
        return True

    def _resolve_offline_alerts(self, device: Device, at: datetime) -> None:
        AlertWriter(self.db).settle_selected(
            _OFFLINE_ALERTS_OF_DEVICE, {"device_pk": device.id}, settled_at=at
        )


def mark_silent_devices_offline(db: Session, now: datetime, silence: timedelta) -> list[str]:
    """Mark devices unheard for longer than `silence` offline; alert each episode once.

    Returns the device ids alerted now. Commits.
    """
    silent = db.execute(_MARK_SILENT, {"cutoff": now - silence}).all()
    alerts = {
        row.device_id: NewAlert(
            patient_id=row.patient_id,
            device_pk=row.id,
            alert_type=AlertType.DEVICE_OFFLINE,
            level=AlertLevel.WARNING,
            message=(
                f"Device {row.device_id} has not been heard from for "
                f"{int((now - row.last_seen_at).total_seconds() // 60)} minutes."
            ),
            raised_at=now,
            cause_key=offline_cause_key(row.device_id, row.last_seen_at),
        )
        for row in silent
        if row.patient_id is not None
    }
    raised = set(AlertWriter(db).raise_alerts(list(alerts.values())))
    db.commit()
    return sorted(device_id for device_id, alert in alerts.items() if alert.id in raised)
