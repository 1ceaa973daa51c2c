"""`medmind voice`: understand text, evaluate the understanding, prepare the models.

Heavy libraries load inside the commands, so `medmind --help` stays fast.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(
    help="Voice: speech-to-text, understanding and its evaluation.", no_args_is_help=True
)

DEFAULT_UTTERANCES = Path(__file__).resolve().parents[2] / "tests" / "voice" / "utterances.yaml"


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
    file: Annotated[
        Path, typer.Option("--file", help="Labelled utterances (YAML).")
    ] = DEFAULT_UTTERANCES,
    audio: Annotated[
        bool, typer.Option("--audio/--no-audio", help="Also run espeak-ng -> STT -> understanding.")
    ] = False,
    model: Annotated[bool, typer.Option("--model/--no-model", help="Use the local LLM.")] = False,
    strategy: Annotated[
        str, typer.Option(help="rules_only, rules_then_model (default) or model_first.")
    ] = "rules_then_model",
    mistakes: Annotated[bool, typer.Option("--mistakes/--no-mistakes")] = True,
    voice: Annotated[str, typer.Option(help="espeak-ng voice of the spoken run.")] = "en-us",
    rate: Annotated[int, typer.Option(help="espeak-ng words per minute.")] = 150,
    json_out: Annotated[
        bool, typer.Option("--json", help="Last line: the figures as JSON.")
    ] = False,
) -> None:
    """Per-intent precision/recall, accuracy and emergency recall, typed (and spoken)."""
    from edge_agent.voice.evaluation import evaluate, format_report, load_utterances
    from shared.understanding import ModelRunner, Strategy, Understanding, understand

    try:
        entries = load_utterances(file)
        chosen = Strategy(strategy)
    except (OSError, ValueError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    runner = _runner(model)
    assert runner is None or isinstance(runner, ModelRunner)
    label = chosen.value if runner is not None else "rules_only"

    def understand_text(text: str, alternatives: tuple[str, ...]) -> Understanding:
        return understand(text, runner, strategy=chosen, alternatives=alternatives).understanding

    figures: dict[str, object] = {}
    typed = evaluate(entries, understand_text)
    typer.echo("\n".join(format_report(typed, f"typed, {label}", show_mistakes=mistakes)))
    figures["typed"] = typed.summary()
    if audio:
        from edge_agent.voice.spoken_eval import evaluate_spoken

        spoken, stt = evaluate_spoken(entries, understand_text, voice=voice, words_per_minute=rate)
        typer.echo(stt.describe())
        figures["stt"] = stt.summary()
        title = f"spoken ({voice}, {rate} wpm), {label}"
        typer.echo("\n".join(format_report(spoken, title, show_mistakes=mistakes)))
        figures["spoken"] = spoken.summary()
    if json_out:
        typer.echo(json.dumps(figures))
