"""Nothing lost, nothing doubled when the ingest worker, the broker or the device dies."""

from __future__ import annotations

import signal
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from cloud.doses.models import DoseEventLog
from shared.enums import DoseSource, DoseStatus
from tests.support.services import Mosquitto
from tests.sync.device_main import CRASH_PLAN
from tests.sync.support import (
    adopt_plans,
    device_fleet,
    outboxes_empty,
    register_devices,
    running_worker,
    sigkill,
    start_device_process,
    start_worker_process,
    stored_facts,
    wait_until,
)


def test_ingest_worker_killed_mid_stream_and_restarted_loses_and_doubles_nothing(
    sessions: sessionmaker[Session], sync_db_url: str, broker: Mosquitto, tmp_path: Path
) -> None:
    device_ids = [f"kw-{n}" for n in range(4)]
    register_devices(sessions, device_ids)
    worker = start_worker_process(sync_db_url, broker.url, "killed", tmp_path / "worker.log")
    try:
        with device_fleet(tmp_path, device_ids, broker.url) as devices:
            for device in devices:
                device.enqueue_dose_events(500)
                device.sync.start()
            wait_until(lambda: stored_facts(sessions)[0] >= 300, 60, "the first 300 messages")
            sigkill(worker)
            stored_at_kill = stored_facts(sessions)[0]
            worker = start_worker_process(
                sync_db_url, broker.url, "killed", tmp_path / "worker.log"
            )
            wait_until(lambda: outboxes_empty(devices), 120, "every outbox to empty")
    finally:
        sigkill(worker)

    assert stored_at_kill < 2000, "the worker was killed after the stream ended"
    assert stored_facts(sessions) == (2000, 2000, 2000)


def test_broker_stopped_and_restarted_mid_stream_loses_nothing(
    sessions: sessionmaker[Session], broker: Mosquitto, tmp_path: Path
) -> None:
    device_ids = [f"br-{n}" for n in range(4)]
    register_devices(sessions, device_ids)
    with (
        running_worker(sessions, broker.url),
        device_fleet(tmp_path, device_ids, broker.url) as devices,
    ):
        for device in devices:
            device.enqueue_dose_events(500)
            device.sync.start()
        wait_until(lambda: stored_facts(sessions)[0] >= 300, 60, "the first 300 messages")
        broker.stop()
        stored_while_down = stored_facts(sessions)[0]
        for device in devices:
            device.enqueue_dose_events(50)
        broker.start()
        wait_until(lambda: outboxes_empty(devices), 120, "every outbox to empty")

    assert stored_while_down < 2200, "the broker was stopped after the stream ended"
    assert stored_facts(sessions) == (2200, 2200, 2200)


def test_device_killed_after_a_press_is_stored_but_before_publishing_delivers_it_after_restart(
    sessions: sessionmaker[Session], broker: Mosquitto, tmp_path: Path
) -> None:
    register_devices(sessions, ["crashy"])
    adopt_plans(sessions, "crashy", CRASH_PLAN)
    with running_worker(sessions, broker.url, simulated_time=True):
        crashed = start_device_process(
            tmp_path / "crashy", "crashy", broker.url, crash_on_press=True
        )
        assert crashed.wait(60) == -signal.SIGKILL, "the device did not crash at the press"
        with sessions() as db:
            assert db.scalar(select(func.count()).select_from(DoseEventLog)) == 0, (
                "the press was published before the crash"
            )
        resumed = start_device_process(tmp_path / "crashy", "crashy", broker.url)
        try:
            wait_until(lambda: stored_facts(sessions)[1] == 1, 60, "the press to reach the cloud")
        finally:
            resumed.terminate()
            resumed.wait(10)

    with sessions() as db:
        event = db.scalars(select(DoseEventLog)).one()
    assert event.status is DoseStatus.ON_TIME
    assert event.source is DoseSource.BUTTON
