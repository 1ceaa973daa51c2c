"""`medmind voice`: understand text, evaluate the understanding, prepare the models.

Heavy libraries load inside the commands, so `medmind --help` stays fast.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from edge_agent.voice.voices import TUNED_ON

app = typer.Typer(
    help="Voice: speech-to-text, understanding and its evaluation.", no_args_is_help=True
)

DEFAULT_UTTERANCES = (
    Path(__file__).resolve().parents[2] / "tests" / "shared" / "understanding" / "utterances.yaml"
)


def _runner(model: bool) -> object | None:
    if not model:
        return None
    from edge_agent.voice.factory import build_runner
    from edge_agent.voice.settings import VoiceSettings

    return build_runner(VoiceSettings(llm_enabled=True))


@app.command("understand")
def understand_command(
    text: Annotated[
        str | None, typer.Argument(help="An utterance; omit to read one per line.")
    ] = None,
    model: Annotated[bool, typer.Option("--model/--no-model", help="Use the local LLM.")] = False,
    medication: Annotated[
        list[str] | None, typer.Option(help="A medication name the patient takes (repeatable).")
    ] = None,
) -> None:
    """Print one JSON object per utterance: intent, slots, source, latency, model call."""
    from shared.understanding import ModelRunner, understand

    runner = _runner(model)
    assert runner is None or isinstance(runner, ModelRunner)
    lines = [text] if text is not None else (line.strip() for line in sys.stdin)
    for line in lines:
        if not line:
            continue
        outcome = understand(line, runner, known_medications=tuple(medication or ()))
        record = {"text": line, **outcome.understanding.as_record()}
        record["latency_ms"] = round(outcome.latency_ms, 1)
        if outcome.llm_call is not None:
            record["llm"] = outcome.llm_call.model_dump(mode="json", exclude={"prompt"})
        sys.stdout.write(json.dumps(record) + "\n")
        sys.stdout.flush()


@app.command("eval")
def eval_command(
    *,
    files: Annotated[
        list[Path] | None,
        typer.Option("--file", help="Labelled utterances (YAML, repeatable)."),
    ] = None,
    audio: Annotated[
        bool, typer.Option("--audio/--no-audio", help="Also run speech -> STT -> understanding.")
    ] = False,
    model: Annotated[bool, typer.Option("--model/--no-model", help="Use the local LLM.")] = False,
    paraphrases: Annotated[
        bool,
        typer.Option(
            "--paraphrases/--no-paraphrases", help="The paraphrase classifier's second opinion."
        ),
    ] = True,
    strategy: Annotated[
        str, typer.Option(help="rules_only, rules_then_model (default) or model_first.")
    ] = "rules_then_model",
    mistakes: Annotated[bool, typer.Option("--mistakes/--no-mistakes")] = True,
    voices: Annotated[
        list[str] | None,
        typer.Option(
            "--voice",
            help="Spoken voice, synthesizer:voice[:slow][:noise] (repeatable; default "
            f"{TUNED_ON}).",
        ),
    ] = None,
    matrix: Annotated[
        bool, typer.Option("--matrix", help="Every voice of the evaluation matrix.")
    ] = False,
    json_out: Annotated[
        bool, typer.Option("--json", help="Last line: the figures as JSON.")
    ] = False,
) -> None:
    """Per-intent precision/recall, accuracy, emergency recall and false "taken" records,
    typed and (with --audio) spoken, per set and per voice."""
    from edge_agent.voice.evaluation import evaluate, format_report, load_utterances
    from edge_agent.voice.voices import MATRIX, VoiceCondition
    from shared.understanding import ModelRunner, Strategy, Understanding, understand

    paths = files or [DEFAULT_UTTERANCES]
    try:
        sets = {path.stem: load_utterances(path) for path in paths}
        chosen = Strategy(strategy)
        conditions = [VoiceCondition.parse(spec) for spec in (MATRIX if matrix else voices or [])]
    except (OSError, ValueError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    if audio and not conditions:
        conditions = [VoiceCondition.parse(TUNED_ON)]
    runner = _runner(model)
    assert runner is None or isinstance(runner, ModelRunner)
    label = chosen.value if runner is not None else "rules_only"
    label = f"{label}, paraphrases" if paraphrases else label

    def understand_text(text: str, alternatives: tuple[str, ...]) -> Understanding:
        return understand(
            text, runner, strategy=chosen, alternatives=alternatives, paraphrases=paraphrases
        ).understanding

    typed: dict[str, object] = {}
    rows: list[tuple[str, str, dict[str, object]]] = []
    for name, entries in sets.items():
        report = evaluate(entries, understand_text)
        typer.echo("\n".join(format_report(report, f"{name}, typed, {label}", mistakes)))
        typed[name] = report.summary()
        rows.append(("typed", name, report.summary()))
    spoken: dict[str, dict[str, object]] = {}
    if audio:
        from edge_agent.voice.spoken_eval import evaluate_spoken

        for condition in conditions:
            for name, entries in sets.items():
                report, stt = evaluate_spoken(entries, understand_text, voice=condition)
                title = f"{name}, spoken ({condition.name}), {label}"
                typer.echo(stt.describe())
                typer.echo("\n".join(format_report(report, title, mistakes)))
                figures = {**report.summary(), "stt": stt.summary()}
                spoken.setdefault(condition.name, {})[name] = figures
                rows.append((condition.name, name, figures))
    typer.echo("\n".join(_table(rows)))
    if json_out:
        typer.echo(json.dumps({"typed": typed, "spoken": spoken}))


def _table(rows: list[tuple[str, str, dict[str, object]]]) -> list[str]:
    """One line per voice and set: the figures the issue's targets name."""
    lines = [
        f"{'voice':<36}{'set':<12}{'n':>5}{'accuracy':>10}{'em.recall':>10}{'false alarms':>14}"
        f"{'false taken':>13}"
    ]
    for voice, name, figures in rows:
        lines.append(
            f"{voice:<36}{name:<12}{figures['utterances']!s:>5}{figures['accuracy']!s:>10}"
            f"{figures['emergency_recall']!s:>10}{figures['emergency_false_alarms']!s:>14}"
            f"{figures['false_taken']!s:>13}"
        )
    return lines
