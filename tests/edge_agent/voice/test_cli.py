"""`medmind voice understand` and `medmind voice eval` as a person tuning the rules uses them."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from edge_agent.voice.cli import app

runner = CliRunner()


def test_understand_prints_one_json_object_per_line_of_stdin() -> None:
    result = runner.invoke(app, ["understand"], input="I fell\nwhat do I take tonight\n")

    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert [line["intent"] for line in lines] == ["emergency", "medication_question"]
    assert lines[1]["time_reference"] == "tonight"


def test_understand_takes_one_utterance_as_an_argument() -> None:
    result = runner.invoke(app, ["understand", "I have a headache"])

    assert json.loads(result.output)["symptom"] == "headache"


def test_eval_scores_any_file_in_the_utterances_format(tmp_path: Path) -> None:
    labelled = tmp_path / "mine.yaml"
    labelled.write_text(
        '- {text: "help", intent: emergency}\n'
        '- {text: "I took my pills", intent: report_dose_taken}\n'
        '- {text: "tell me a joke", intent: emergency}\n'
    )

    result = runner.invoke(app, ["eval", "--file", str(labelled), "--json"])

    assert result.exit_code == 0, result.output
    figures = json.loads(result.output.splitlines()[-1])["typed"]["mine"]
    assert figures["utterances"] == 3
    assert figures["accuracy"] == round(2 / 3, 4)
    assert figures["per_intent"]["emergency"] == {"precision": 1.0, "recall": 0.5, "support": 2}
    assert "x 'tell me a joke'" in result.output


def test_eval_names_a_bad_entry(tmp_path: Path) -> None:
    labelled = tmp_path / "bad.yaml"
    labelled.write_text('- {text: "hello", intent: greeting}\n')

    result = runner.invoke(app, ["eval", "--file", str(labelled)])

    assert result.exit_code == 2
    assert "entry 1" in result.output
