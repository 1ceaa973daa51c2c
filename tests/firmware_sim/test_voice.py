"""The simulated patient's voice reaches the device's real voice path, as text or as a WAV."""

from __future__ import annotations

import subprocess
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from firmware_sim.device import virtual_device
from firmware_sim.plans import demo_plan
from firmware_sim.voice import SpokenVoice
from tests.firmware_sim.factories import new_patient_id

ZONE = "Europe/Berlin"
START = datetime(2026, 3, 2, 10, 0, tzinfo=ZoneInfo(ZONE))


def _outbox_kinds(device: object) -> list[str]:
    store = device.agent.store  # type: ignore[attr-defined]
    return [row["kind"] for row in store.query("SELECT kind FROM outbox ORDER BY seq")]


def test_a_recorded_sentence_is_heard_understood_and_logged(tmp_path: Path) -> None:
    wav = tmp_path / "headache.wav"
    subprocess.run(
        ["espeak-ng", "-v", "en-us", "-s", "140", "-w", str(wav), "I have a bad headache"],
        check=True,
    )
    plan = demo_plan(new_patient_id(), ZONE, START.date())
    with virtual_device("voice-wav", tmp_path / "device", start=START, plan=plan) as device:
        voice = SpokenVoice(device)
        voice.play(device, wav.read_bytes())
        assert device.said()[-1] == "I noted your headache."
        assert _outbox_kinds(device)[-2:] == ["symptom", "interaction"]


def test_a_typed_emergency_call_raises_an_alert_at_once(tmp_path: Path) -> None:
    plan = demo_plan(new_patient_id(), ZONE, date(2026, 3, 2))
    with virtual_device("voice-help", tmp_path, start=START, plan=plan) as device:
        device.attach_voice(SpokenVoice(device))
        device.speak("call for help")
        assert "alert" in _outbox_kinds(device), "an emergency must raise an alert"
        assert "help" in device.said()[-1].lower()
