"""The device's network link: cutting it drops the connection, restoring it lets it back."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from edge_agent.hardware import LedStatus
from firmware_sim.device import virtual_device
from tests.firmware_sim.factories import unique_device_id

START = datetime(2026, 3, 2, 7, 0, tzinfo=ZoneInfo("Europe/Berlin"))


def test_cutting_the_link_takes_the_device_offline_until_restored(
    tmp_path: Path, mqtt_url: str, forget_retained: list[str]
) -> None:
    device_id = unique_device_id("link")
    forget_retained.append(device_id)
    with virtual_device(device_id, tmp_path, start=START, broker_url=mqtt_url) as device:
        assert device.wait_connected(10), "the device should reach the broker through its link"

        device.cut_network()
        assert device.wait_disconnected(5), "cutting the link should drop the broker connection"
        assert device.snapshot().led is LedStatus.OFFLINE
        device.restore_network()

        assert device.wait_connected(10), "the device should reconnect once the link is back"
        assert device.link is not None and device.link.connections >= 2
