"""The console opens on a virtual device, shows its state and reacts to keys (textual pilot)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from firmware_sim.console import SimConsole
from firmware_sim.device import virtual_device
from firmware_sim.plans import demo_plan
from firmware_sim.voice import SpokenVoice
from tests.firmware_sim.factories import new_patient_id, unique_device_id

ZONE = "Europe/Berlin"


def _text(app: SimConsole, widget_id: str) -> str:
    return str(app.query_one(f"#{widget_id}").render())


@pytest.mark.anyio
async def test_keys_press_buttons_and_move_time(tmp_path: Path) -> None:
    start = datetime(2026, 3, 2, 7, 50, tzinfo=ZoneInfo(ZONE))
    plan = demo_plan(new_patient_id(), ZONE, date(2026, 3, 2))
    with virtual_device("console-1", tmp_path, start=start, plan=plan) as device:
        app = SimConsole(device, speed=0)
        async with app.run_test() as pilot:
            assert "07:50" in _text(app, "clock")
            assert "IDLE" in _text(app, "led")

            await pilot.press("d")  # on to the next dose: 08:00
            assert "DUE" in _text(app, "led"), "the LED should show a dose due at 08:00"
            assert "Metformin" in _text(app, "due")
            assert any("time for" in said for said in device.said())

            await pilot.press("t")  # taken
            assert "IDLE" in _text(app, "led"), "pressing Taken should answer the due doses"
            assert "nothing due" in _text(app, "due")
            assert any("as taken" in said for said in device.said())

            await pilot.press("f")
            assert "09:00" in _text(app, "clock"), "f should move the clock on one hour"

            await pilot.press("h")  # hold talk: help
            assert any("help" in said.lower() for said in device.said())
            assert device.outbox_depth() >= 3, "dose events and the emergency alert are queued"


@pytest.mark.anyio
async def test_speed_keys_change_the_pace(tmp_path: Path) -> None:
    start = datetime(2026, 3, 2, 7, 0, tzinfo=ZoneInfo(ZONE))
    with virtual_device("console-2", tmp_path, start=start) as device:
        app = SimConsole(device, speed=60)
        async with app.run_test() as pilot:
            assert "60x" in _text(app, "clock")
            await pilot.press("plus")
            assert "600x" in _text(app, "clock")
            await pilot.press("minus", "minus", "minus", "minus", "minus")
            assert "paused" in _text(app, "clock")


@pytest.mark.anyio
async def test_typed_words_go_through_the_voice_path(tmp_path: Path) -> None:
    start = datetime(2026, 3, 2, 10, 0, tzinfo=ZoneInfo(ZONE))
    plan = demo_plan(new_patient_id(), ZONE, date(2026, 3, 2))
    with virtual_device("console-3", tmp_path, start=start, plan=plan) as device:
        device.attach_voice(SpokenVoice(device))
        app = SimConsole(device, speed=0)
        async with app.run_test() as pilot:
            await pilot.press("s")
            await pilot.press(*"I have a bad headache", "enter")
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert "I noted your headache." in device.said()
            kinds = [row["kind"] for row in device.agent.store.query("SELECT kind FROM outbox")]
            assert "symptom" in kinds, "the spoken symptom should be logged for the cloud"


@pytest.mark.anyio
async def test_the_network_key_pulls_and_replugs_the_cable(
    tmp_path: Path, mqtt_url: str, forget_retained: list[str]
) -> None:
    start = datetime(2026, 3, 2, 7, 0, tzinfo=ZoneInfo(ZONE))
    device_id = unique_device_id("console-net")
    forget_retained.append(device_id)
    with virtual_device(device_id, tmp_path, start=start, broker_url=mqtt_url) as device:
        assert device.wait_connected(10)
        app = SimConsole(device, speed=0)
        async with app.run_test() as pilot:
            await pilot.press("n")
            assert "cable cut" in _text(app, "link")
            assert device.wait_disconnected(5)
            await pilot.press("n")
            assert device.wait_connected(10), "the device should reconnect after n again"
            app.refresh_view()
            assert "connected" in _text(app, "link")
