"""Presence: the status topic and traffic keep `online`/`last_seen`; silence raises one alert."""

from __future__ import annotations

import signal
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from cloud.alerts.models import AlertLog, AlertStatus
from cloud.devices.models import Device, DeviceHeartbeat
from cloud.ingest.presence import PresenceService, mark_silent_devices_offline
from edge_agent.sync.runner import start_sync
from shared.enums import AlertType, PresenceState
from tests.edge_agent.factories import build_device, local
from tests.support.services import Mosquitto
from tests.sync.support import (
    device_fleet,
    register_devices,
    running_worker,
    start_device_process,
    sync_settings,
    wait_until,
)

SILENCE = timedelta(minutes=15)


def _online(sessions: sessionmaker[Session], device_id: str) -> bool:
    with sessions() as db:
        return bool(db.scalar(select(Device.online).where(Device.device_id == device_id)))


def test_status_messages_mark_a_device_online_then_offline(
    sessions: sessionmaker[Session], broker: Mosquitto, tmp_path: Path
) -> None:
    register_devices(sessions, ["pres-1"])
    with (
        running_worker(sessions, broker.url),
        device_fleet(tmp_path, ["pres-1"], broker.url) as fleet,
    ):
        fleet[0].sync.start()
        wait_until(lambda: _online(sessions, "pres-1"), 20, "the device to show online")
        fleet[0].sync.stop()
        wait_until(lambda: not _online(sessions, "pres-1"), 20, "the device to show offline")


def test_the_last_will_marks_a_killed_device_offline(
    sessions: sessionmaker[Session], broker: Mosquitto, tmp_path: Path
) -> None:
    register_devices(sessions, ["pres-2"])
    with running_worker(sessions, broker.url):
        process = start_device_process(tmp_path / "pres-2", "pres-2", broker.url)
        try:
            wait_until(lambda: _online(sessions, "pres-2"), 30, "the device to show online")
        finally:
            process.send_signal(signal.SIGKILL)
            process.wait(10)
        wait_until(lambda: not _online(sessions, "pres-2"), 20, "the Last Will to mark it offline")


def test_a_silent_device_raises_one_offline_alert_per_silence(
    sessions: sessionmaker[Session],
) -> None:
    register_devices(sessions, ["quiet-1", "chatty-1"])
    now = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
    with sessions() as db:
        db.execute(
            update(Device)
            .where(Device.device_id == "quiet-1")
            .values(online=True, last_seen_at=now - timedelta(minutes=40))
        )
        db.execute(
            update(Device)
            .where(Device.device_id == "chatty-1")
            .values(online=True, last_seen_at=now - timedelta(minutes=2))
        )
        db.commit()

        assert mark_silent_devices_offline(db, now, SILENCE) == ["quiet-1"]
        assert mark_silent_devices_offline(db, now + timedelta(minutes=1), SILENCE) == []

        alert = db.scalars(select(AlertLog)).one()
        assert alert.alert_type is AlertType.DEVICE_OFFLINE
        assert "quiet-1" in alert.message and "40 minutes" in alert.message
        assert not _online(sessions, "quiet-1")
        assert _online(sessions, "chatty-1")

        PresenceService(db).record("quiet-1", PresenceState.ONLINE, now + timedelta(minutes=5))
        db.commit()
        db.refresh(alert)
        assert alert.status is AlertStatus.RESOLVED, "coming back resolves the offline alert"
        assert _online(sessions, "quiet-1")


def test_heartbeats_go_through_the_outbox_while_connected(
    sessions: sessionmaker[Session], broker: Mosquitto, tmp_path: Path
) -> None:
    register_devices(sessions, ["beat-1"])
    device = build_device(tmp_path / "beat-1", local(2026, 6, 1, 9, 0), device_id="beat-1")
    settings = sync_settings(broker.url, heartbeat_interval_s=60, software_version="9.9.9")
    with running_worker(sessions, broker.url):
        running = start_sync(device.agent, device.store, settings)
        try:
            wait_until(running.sync.connected.is_set, 20, "the device to connect")
            device.advance(60)
            device.advance(60)
            with sessions() as db:
                wait_until(
                    lambda: len(db.scalars(select(DeviceHeartbeat)).all()) == 2,
                    20,
                    "two heartbeats in the cloud",
                )
                beat = db.scalars(select(DeviceHeartbeat)).first()
                version = db.scalar(select(Device.software_version))
        finally:
            running.stop()

    assert beat is not None and beat.software_version == "9.9.9"
    assert beat.outbox_depth >= 0 and beat.uptime_s >= 60
    assert version == "9.9.9"
