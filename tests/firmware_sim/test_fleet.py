"""A small fleet against the local cloud: every message a device makes is acked by the cloud."""

from __future__ import annotations

import time
from pathlib import Path

from firmware_sim.fleet import Fleet, register_fleet
from firmware_sim.people import bootstrap_admin
from firmware_sim.stack import LocalCloud
from tests.firmware_sim.factories import unique_device_id

SETTLE_S = 30.0


def test_fleet_traffic_is_all_acked(
    local_cloud: LocalCloud, workdir: Path, forget_retained: list[str]
) -> None:
    assert local_cloud.mqtt_url is not None
    fleet = Fleet(
        local_cloud.mqtt_url,
        devices=3,
        speed=3600,
        root=workdir,
        prefix=unique_device_id("fleet"),
        heartbeat_interval_s=600,
    )
    forget_retained.extend(fleet.device_ids)
    register_fleet(local_cloud, fleet)
    admin = bootstrap_admin(local_cloud)
    with fleet:
        fleet.run_for(4)
        fleet.driver.speed = 0
        deadline = time.monotonic() + SETTLE_S
        while fleet.stats().waiting and time.monotonic() < deadline:
            time.sleep(0.1)
        stats = fleet.stats()
        assert stats.made >= 3 * 4, f"a simulated hour per second should make traffic: {stats}"
        assert stats.waiting == 0, f"unacked messages left: {stats}"
        assert stats.acked == stats.made
        for device in fleet.devices:
            cloud_view = admin.device(device.device_id)
            assert cloud_view["last_seq"] == device.messages_made() - 1, (
                f"{device.device_id}: the cloud saw up to seq {cloud_view['last_seq']}, "
                f"the device made {device.messages_made()} messages"
            )
    admin.close()
