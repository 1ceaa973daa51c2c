"""`medmind cloud jobs run ...`: one-shot runs print what they did as JSON."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date

import pytest
from typer.testing import CliRunner

from cloud.cli import app
from cloud.config import get_settings
from cloud.jobs.runner import JOBS
from shared.enums import DoseStatus
from tests.cloud.analytics.history import History


@pytest.fixture
def configured(cloud_db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The CLI reads this test's database from the environment, like in production."""
    monkeypatch.setenv("MEDMIND_DATABASE_URL", cloud_db_url)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.mark.usefixtures("configured")
def test_a_one_shot_daily_summary_run_for_a_date(history: History) -> None:
    ada = history.patient("Ada")
    history.item(ada, "Metformin", ["08:00"])
    history.dose(ada, "Metformin", date(2026, 11, 20), "08:00", DoseStatus.ON_TIME)
    history.commit()
    runner = CliRunner()
    args = ["jobs", "run", "daily-summaries", "--date", "2026-11-20"]
    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    assert json.loads(first.output) == {"day": "2026-11-20", "rows": 1}
    again = runner.invoke(app, args)
    assert json.loads(again.output) == {"day": "2026-11-20", "rows": 0}


@pytest.mark.usefixtures("configured")
def test_all_jobs_run_once_as_of_a_given_time() -> None:
    result = CliRunner().invoke(app, ["jobs", "run", "all", "--now", "2026-11-21T06:00:00+00:00"])
    assert result.exit_code == 0, result.output
    assert set(json.loads(result.output)) == set(JOBS)


def test_an_unknown_job_is_refused_with_the_known_names() -> None:
    result = CliRunner().invoke(app, ["jobs", "run", "monthly-summaries"])
    assert result.exit_code != 0
    assert "daily-summaries" in result.output
