"""The contract's commands: `medmind protocol schema` and `medmind schedule expand`."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from shared.cli import app
from shared.kinds import Kind
from tests.factories import make_item, make_plan

runner = CliRunner()


def test_protocol_schema_prints_every_kind() -> None:
    result = runner.invoke(app, ["protocol", "schema"])
    assert result.exit_code == 0, result.output
    assert set(json.loads(result.output)) == {kind.value for kind in Kind}


def test_schedule_expand_prints_one_json_line_per_occurrence(tmp_path: Path) -> None:
    plan = make_plan(make_item(times_of_day=["08:00", "20:00"]), timezone="America/New_York")
    path = tmp_path / "plan.json"
    path.write_text(plan.model_dump_json())
    result = runner.invoke(
        app, ["schedule", "expand", str(path), "--from", "2026-03-07", "--to", "2026-03-09"]
    )
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert len(lines) == 6
    assert lines[0]["local_date"] == "2026-03-07" and lines[0]["slot"] == "08:00"
    assert lines[2]["due_at"] == "2026-03-08T12:00:00Z", "08:00 EDT on the spring-forward day"


def test_schedule_expand_explains_a_bad_plan(tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    path.write_text('{"plan_id": "nope"}')
    result = runner.invoke(
        app, ["schedule", "expand", str(path), "--from", "2026-03-07", "--to", "2026-03-09"]
    )
    assert result.exit_code == 2
    assert "invalid plan" in result.output


def test_schedule_expand_explains_a_bad_range(tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    path.write_text(make_plan().model_dump_json())
    result = runner.invoke(
        app, ["schedule", "expand", str(path), "--from", "2026-03-09", "--to", "2026-03-07"]
    )
    assert result.exit_code == 2
    assert "before it starts" in result.output
