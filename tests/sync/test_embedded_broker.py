"""The embedded broker (amqtt, no `$share`): one worker with a plain subscription still stores
every event exactly once."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from firmware_sim.embedded_broker import EmbeddedBroker, embedded_broker
from tests.sync.support import (
    device_fleet,
    outboxes_empty,
    register_devices,
    running_worker,
    stored_facts,
    wait_until,
)


@pytest.fixture
def amqtt() -> Iterator[EmbeddedBroker]:
    with embedded_broker() as broker:
        yield broker


def test_devices_sync_through_the_embedded_broker_without_shared_subscriptions(
    sessions: sessionmaker[Session], amqtt: EmbeddedBroker, tmp_path: Path
) -> None:
    device_ids = ["emb-1", "emb-2"]
    register_devices(sessions, device_ids)
    with (
        running_worker(sessions, amqtt.url, shared_subscription=False),
        device_fleet(tmp_path, device_ids, amqtt.url) as devices,
    ):
        for device in devices:
            device.enqueue_dose_events(100)
            device.sync.start()
        wait_until(lambda: outboxes_empty(devices), 60, "every outbox to empty")

    assert stored_facts(sessions) == (200, 200, 200)
