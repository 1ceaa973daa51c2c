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

from sqlalchemy import exists, select, update
from sqlalchemy.orm import Session

from cloud.alerts.models import AlertLog, AlertStatus
from cloud.devices.models import Device, DeviceEvent
from shared.enums import AlertLevel, AlertType, PresenceState

log = logging.getLogger(__name__)

OFFLINE_CAUSE_PREFIX = "device_offline:"


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
        self.db.execute(
            update(AlertLog)
            .where(
                AlertLog.device_pk == device.id,
                AlertLog.alert_type == AlertType.DEVICE_OFFLINE,
                AlertLog.status != AlertStatus.RESOLVED,
            )
            .values(status=AlertStatus.RESOLVED, resolved_at=at)
        )


def mark_silent_devices_offline(db: Session, now: datetime, silence: timedelta) -> list[str]:
    """Mark devices unheard for longer than `silence` offline; alert each episode once.

    Returns the device ids alerted now. Commits.
    """
    cutoff = now - silence
    silent = db.execute(
        select(Device.id, Device.device_id, Device.patient_id, Device.last_seen_at).where(
            Device.last_seen_at.is_not(None), Device.last_seen_at < cutoff
        )
    ).all()
    alerted: list[str] = []
    for device_pk, device_id, patient_id, last_seen_at in silent:
        assert last_seen_at is not None  # selected for being set
        db.execute(update(Device).where(Device.id == device_pk).values(online=False))
        if patient_id is None:
            continue
        cause_key = offline_cause_key(device_id, last_seen_at)
        already = db.scalar(select(exists().where(AlertLog.cause_key == cause_key)))
        if already:
            continue
        minutes = int((now - last_seen_at).total_seconds() // 60)
        db.add(
            AlertLog(
                patient_id=patient_id,
                device_pk=device_pk,
                alert_type=AlertType.DEVICE_OFFLINE,
                level=AlertLevel.WARNING,
                source="cloud",
                message=f"Device {device_id} has not been heard from for {minutes} minutes.",
                raised_at=now,
                cause_key=cause_key,
            )
        )
        alerted.append(device_id)
    db.commit()
    return alerted
