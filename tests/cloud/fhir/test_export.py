"""`medmind cloud fhir export`: NDJSON per resource type, as `$everything` has them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cloud.cli import app
from cloud.config import get_settings
from tests.cloud.analytics.history import History
from tests.cloud.fhir.conftest import validated
from tests.cloud.fhir.month import simulate_month


@pytest.fixture
def configured(cloud_db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The CLI reads this test's database from the environment, like in production."""
    monkeypatch.setenv("MEDMIND_DATABASE_URL", cloud_db_url)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.mark.usefixtures("configured")
def test_export_writes_one_ndjson_file_per_type_with_a_bulk_data_manifest(
    history: History, fhir_as: Any, tmp_path: Path
) -> None:
    month = simulate_month(history)
    window = {"start": "2026-10-12", "end": "2026-10-18"}
    expected: dict[str, list[str]] = {}
    bundle = fhir_as(month.doctor).get(f"Patient/{month.id}/$everything", **window)
    for entry in bundle["entry"]:
        resource = entry["resource"]
        expected.setdefault(resource["resourceType"], []).append(resource["id"])

    args = [
        "fhir",
        "export",
        "--patient",
        month.id,
        "--from",
        window["start"],
        "--to",
        window["end"],
        "--out",
        str(tmp_path),
    ]
    result = CliRunner().invoke(app, args)

    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {name: len(ids) for name, ids in expected.items()}
    for name, ids in expected.items():
        lines = (tmp_path / f"{name}.ndjson").read_text().splitlines()
        assert [validated(json.loads(line))["id"] for line in lines] == ids
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert {output["url"] for output in manifest["output"]} == {f"{n}.ndjson" for n in expected}


@pytest.mark.usefixtures("configured")
def test_exporting_an_unknown_patient_fails_and_says_so(tmp_path: Path) -> None:
    args = [
        "fhir",
        "export",
        "--patient",
        "00000000-0000-0000-0000-000000000001",
        "--out",
        str(tmp_path),
    ]
    result = CliRunner().invoke(app, args)
    assert result.exit_code != 0
    assert "no patient" in result.output
