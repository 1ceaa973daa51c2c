"""Fixtures of the simulator tests: a migrated template database and a local cloud per test."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from firmware_sim.stack import LocalCloud
from tests.support import services


@pytest.fixture
def anyio_backend() -> str:
    """The console runs on asyncio (textual's loop)."""
    return "asyncio"


@pytest.fixture
def local_cloud(pg_admin_url: str, migrated_template: str, mqtt_url: str) -> Iterator[LocalCloud]:
    """API, ingest worker and plan publisher on a fresh database and the test broker."""
    with services.fresh_database(pg_admin_url, template=migrated_template) as url:
        cloud = LocalCloud(database_url=url, mqtt_url=mqtt_url)
        with contextlib.ExitStack() as stack:
            stack.callback(cloud.stop)
            cloud.start()
            yield cloud


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    return tmp_path


@pytest.fixture
def forget_retained(mqtt_url: str) -> Iterator[list[str]]:
    """Device ids whose retained status and plan are cleared from the broker after the test
    (the shared broker outlives every test; its retained store should not grow with them)."""
    device_ids: list[str] = []
    yield device_ids
    if device_ids:
        clear_retained(mqtt_url, device_ids)


def clear_retained(broker_url: str, device_ids: list[str]) -> None:
    """Publish empty retained messages on each device's status and plan topics."""
    import paho.mqtt.client as mqtt
    from paho.mqtt.enums import CallbackAPIVersion

    from shared.kinds import Kind
    from shared.topics import down_topic, status_topic

    parts = urlsplit(broker_url)
    client = mqtt.Client(
        CallbackAPIVersion.VERSION2, client_id=f"sim-cleanup-{uuid.uuid4().hex[:8]}"
    )
    client.connect(parts.hostname or "127.0.0.1", parts.port or 1883)
    client.loop_start()
    try:
        for device_id in device_ids:
            for topic in (status_topic(device_id), down_topic(device_id, Kind.PLAN)):
                client.publish(topic, b"", qos=1, retain=True).wait_for_publish(5)
    finally:
        client.disconnect()
        client.loop_stop()
