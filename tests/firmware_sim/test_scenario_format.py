"""Scenario files: validation of steps, local times across DST, and checks that can fail."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from pydantic import ValidationError

from firmware_sim.runner import ScenarioRunner
from firmware_sim.scenario import Scenario, load_scenario
from firmware_sim.stack import LocalCloud
from tests.firmware_sim.factories import unique_device_id

ONE_DAY = {
    "name": "One day",
    "timezone": "Europe/Berlin",
    "start": "2026-03-02",
    "days": 1,
    "plan": [
        {"medication_name": "Metformin", "dose": 500, "unit": "mg", "times_of_day": ["08:00"]}
    ],
    "habits": [{"at": "08:02", "press": "taken"}],
}


def test_a_step_does_exactly_one_thing() -> None:
    bad = {**ONE_DAY, "timeline": [{"day": 1, "at": "09:00", "press": "taken", "network": "cut"}]}
    with pytest.raises(ValidationError, match="exactly one of"):
        Scenario.model_validate(bad)


def test_a_time_the_clocks_skip_reads_with_the_offset_before_the_change() -> None:
    scenario = load_scenario("dst_weekend")
    sunday_night = scenario.instant(3, "02:34")
    assert sunday_night.astimezone(UTC) == datetime(2026, 3, 29, 1, 34, tzinfo=UTC)


def test_habits_and_steps_play_in_time_order() -> None:
    scenario = load_scenario("three_day_outage")
    moments = [moment for moment, _ in scenario.schedule()]
    assert moments == sorted(moments)
    kinds = [action.kind for _, action in scenario.schedule()]
    cut = kinds.index("network")
    assert kinds[cut - 2 : cut + 2] == ["press", "expect", "network", "press"], (
        "day 2: the morning press, the check at 08:30, the cut at 09:00, the evening press"
    )


def test_a_wrong_expectation_fails_and_says_what_differs(
    local_cloud: LocalCloud, workdir: Path, forget_retained: list[str]
) -> None:
    wrong = {
        **ONE_DAY,
        "timeline": [
            {"day": 2, "at": "01:00", "expect": {"days": [{"day": 1, "scheduled": 1, "missed": 1}]}}
        ],
    }
    device_id = unique_device_id("wrong")
    forget_retained.append(device_id)
    result = ScenarioRunner(
        Scenario.model_validate(wrong), local_cloud, workdir, device_id=device_id
    ).run()
    assert not result.passed
    assert [check.what for check in result.failures] == ["day 1 (Mon 02 Mar) missed"]
    assert "expected 1, API says 0" in result.failures[0].detail
