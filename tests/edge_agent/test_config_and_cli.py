"""Settings from TOML and the environment, and the `medmind edge` commands."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from edge_agent.cli import app
from edge_agent.config import load_settings
from tests.edge_agent.factories import Device, make_item, make_plan
from tests.support.paths import REPO_ROOT

EXAMPLE = REPO_ROOT / "edge.example.toml"


def test_example_config_loads(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = load_settings(EXAMPLE)
    assert settings.device_id == "bedside-1"
    assert settings.timezone == "Europe/Berlin"
    assert settings.gpio.rgb_pins == (5, 6, 13)
    assert settings.broker is not None
    assert settings.broker.broker_url == "mqtt://127.0.0.1:1883"


def test_environment_overrides_the_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MEDMIND_EDGE_DEVICE_ID", "bedside-9")
    monkeypatch.setenv("MEDMIND_EDGE_REMINDERS__SNOOZE_MINUTES", "4")
    settings = load_settings(EXAMPLE)
    assert settings.device_id == "bedside-9"
    assert settings.reminders.snooze_minutes == 4
    assert settings.reminders.max_snoozes == 3, "the rest of the section comes from the file"


def test_bad_settings_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "edge.toml"
    path.write_text('timezone = "Mars/Olympus"\n')
    with pytest.raises(ValueError, match="unknown IANA time zone"):
        load_settings(path)


def test_quiet_hours_cross_midnight() -> None:
    audio = load_settings(EXAMPLE).audio
    assert audio.is_quiet(time(23, 0)) and audio.is_quiet(time(6, 59))
    assert not audio.is_quiet(time(7, 0)) and not audio.is_quiet(time(12, 0))


def test_status_prints_the_local_state(
    device_factory: Callable[..., Device], tmp_path: Path
) -> None:
    # `status` reads the database on the real clock, so the device starts at the real now.
    device = device_factory(
        datetime.now(UTC), plan=make_plan(make_item("Metformin", ["08:00"]), version=3)
    )
    config = tmp_path / "edge.toml"
    config.write_text(f'device_id = "bed-7"\ndata_dir = "{device.settings.data_dir}"\n')
    result = CliRunner().invoke(app, ["status", "--config", str(config)])
    assert result.exit_code == 0, result.output
    assert "version 3" in result.output
    assert "Metformin, 500 mg" in result.output
    assert "outbox depth:  1" in result.output
    assert "last sync:     never" in result.output
