"""Every shipped scenario, end to end: virtual device, real broker, ingest, PostgreSQL, REST API.

Each runs a patient's days at full speed on the virtual clock and checks the cloud's answers.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from firmware_sim.runner import ScenarioRunner
from firmware_sim.scenario import load_scenario, packaged_scenarios
from firmware_sim.stack import LocalCloud
from tests.firmware_sim.factories import unique_device_id


@pytest.mark.parametrize("path", packaged_scenarios(), ids=lambda p: p.stem)
def test_scenario_passes(
    path: Path, local_cloud: LocalCloud, workdir: Path, forget_retained: list[str]
) -> None:
    scenario = load_scenario(path)
    device_id = unique_device_id(path.stem[:20])
    forget_retained.append(device_id)
    result = ScenarioRunner(scenario, local_cloud, workdir, device_id=device_id).run()
    assert result.checks, f"{path.name} checked nothing"
    assert result.passed, result.report()


def test_every_required_scenario_ships() -> None:
    names = {path.stem for path in packaged_scenarios()}
    assert {
        "perfect_week",
        "forgetful_evenings",
        "three_day_outage",
        "emergency",
        "plan_change",
        "dst_weekend",
        "dst_autumn",
        "two_months",
        "unplugged",
        "refill_cycle",
    } <= names
