"""Voice benchmark: end of speech -> first audio of the reply, and peak memory.

Each request is spoken by espeak-ng into the virtual microphone and goes the device's real way:
webrtcvad end-pointing, pocketsphinx (decoding while the words arrive), the shared
understanding with the llama.cpp model for what rules are unsure of, the dialog acting on a real
agent (SQLite store, outbox), and espeak-ng synthesising the reply (the device starts playing
once the WAV is ready). Measured from the moment end-pointing declares the end of speech:
STT finalisation + understanding and action + TTS. The end-pointing silence itself
(`--end-silence-ms`) comes before that moment and is printed separately. Peak RSS is this
process's, with both models loaded. Spoken device phrases rarely need the model, and with the
paraphrase classifier the rules are sure of most phrasings, so a second set of phrasings is
understood with the model pass forced (`Strategy.MODEL_FIRST`: the same prompt, grammar and
runner as when the rules are unsure), and `p95_with_llm_ms` adds that pass's p95 to the spoken
parts' p95s. Last line: one JSON object.

    .venv/bin/python bench/voice.py [--rounds 2] [--end-silence-ms 500]
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from uuid import uuid4

from edge_agent.agent import Agent
from edge_agent.clock import VirtualClock
from edge_agent.config import EdgeSettings
from edge_agent.speaker import EspeakSynthesizer, VirtualSpeaker
from edge_agent.voice.dialog import DialogManager, HeardSpeech
from edge_agent.voice.endpointing import EndpointerConfig
from edge_agent.voice.factory import build_engine, build_runner
from edge_agent.voice.listener import listen
from edge_agent.voice.microphone import VirtualMicrophone
from edge_agent.voice.settings import VoiceSettings
from shared.plan import MedicationPlan, PlanItem
from shared.understanding.combine import Strategy, understand

REQUESTS = (
    "I took my pills",
    "what do I take tonight",
    "did I take my morning pills",
    "I have a headache",
    "help me",
    "I can't breathe",
    "my knee hurts",
    "I didn't take it",
    "when is my next dose",
    "skip my pills",
    "thank you",
    "what time is it",
    "my tummy is doing somersaults",
    "I am not sure about the tablets",
    "the garden looks lovely today",
    "I feel awful",
    "have I had my tablets today",
    "my chest hurts",
    "I want to skip my evening pill",
    "tell me a joke",
)


# The bench patient's medications, as the understanding is told them.
MEDICATIONS = ("Metformin", "Aspirin")
# Phrasings once left to the model, each now understood with the model pass forced.
MODEL_REQUESTS = (
    "my tummy is doing somersaults",
    "I am not sure about the tablets",
    "the weather is bad for my knee today",
    "my back's playing up",
    "I'm giving the pills a rest today",
    "what's left for today",
    "my knees are giving me grief",
    "I've come over all faint",
    "can I have my tablets early",
    "I had a funny turn",
)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def make_agent(data_dir: Path, clock: VirtualClock) -> Agent:
    settings = EdgeSettings(data_dir=data_dir, timezone="Europe/Berlin")
    agent = Agent(settings, clock=clock, speaker=VirtualSpeaker(clock))
    items = [
        PlanItem(
            item_id=uuid4(),
            medication_name=name,
            dose=dose,
            unit="mg",
            times_of_day=times,
            start_date=date(2026, 1, 1),
        )
        for name, dose, times in (
            ("Metformin", 500.0, ["08:00", "20:00"]),
            ("Aspirin", 100.0, ["08:00"]),
        )
    ]
    plan = MedicationPlan(
        plan_id=uuid4(), patient_id=uuid4(), version=1, timezone="Europe/Berlin", items=items
    )
    agent.store.apply_plan(plan)
    agent.start()
    return agent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--end-silence-ms", type=int, default=500)
    parser.add_argument("--data-dir", type=Path, default=Path("var/voice"))
    args = parser.parse_args()

    settings = VoiceSettings(
        data_dir=args.data_dir, end_silence_ms=args.end_silence_ms, llm_enabled=True
    )
    started = time.perf_counter()
    engine = build_engine(settings)
    runner = build_runner(settings)
    if runner is None:
        raise SystemExit("the model did not load: the bench times both models")
    load_s = time.perf_counter() - started
    synthesizer = EspeakSynthesizer(voice="en-us")
    endpointing = EndpointerConfig(end_silence_ms=args.end_silence_ms)
    microphone = VirtualMicrophone(tail_silence_ms=args.end_silence_ms + 1000)

    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="medmind-bench-voice-") as workdir:
        clock = VirtualClock(datetime(2026, 6, 1, 6, 5, tzinfo=UTC))
        agent = make_agent(Path(workdir), clock)
        dialog = DialogManager(
            agent.actions, agent.clock, timers=agent.loop, say=agent.say, runner=runner
        )
        for round_index in range(args.rounds):
            for text in REQUESTS:
                microphone.say(text)
                heard = listen(microphone, engine, endpointing)
                if heard is None:
                    raise SystemExit(f"nothing heard for {text!r}")
                stt_ms = heard.transcript.latency_ms
                understood_at = time.perf_counter()
                reply = dialog.handle(
                    HeardSpeech(
                        heard.transcript.text,
                        heard.transcript.engine,
                        stt_ms,
                        heard.transcript.alternatives,
                        heard.transcript.confidence,
                    )
                )
                understanding_ms = (time.perf_counter() - understood_at) * 1000
                tts_at = time.perf_counter()
                synthesizer.synthesize(reply.text, volume=80)
                tts_ms = (time.perf_counter() - tts_at) * 1000
                clock.advance(150)
                if round_index == 0 and text == REQUESTS[0]:
                    continue  # the very first turn warms caches; it is not a patient's turn
                rows.append(
                    {
                        "text": text,
                        "heard": heard.transcript.text,
                        "intent": reply.understanding.intent.value,
                        "llm": reply.interaction.llm is not None,
                        "stt_ms": stt_ms,
                        "understanding_ms": understanding_ms,
                        "tts_ms": tts_ms,
                        "total_ms": stt_ms + understanding_ms + tts_ms,
                    }
                )
        model_ms: list[float] = []
        for text in MODEL_REQUESTS:
            outcome = understand(
                text, runner, known_medications=MEDICATIONS, strategy=Strategy.MODEL_FIRST
            )
            call = outcome.llm_call
            if call is None and outcome.understanding.is_emergency:
                print(f"{outcome.latency_ms:7.0f} ms  by rules (an emergency), no pass: {text!r}")
                continue
            if call is None:
                raise SystemExit(f"the model pass failed for {text!r}")
            model_ms.append(outcome.latency_ms)
            print(
                f"{outcome.latency_ms:7.0f} ms  model pass, {call.prompt_tokens} prompt "
                f"+ {call.completion_tokens} output tokens: {text!r} -> {call.output}"
            )
        agent.close()

    for row in rows:
        print(
            f"{row['total_ms']:7.0f} ms  stt {row['stt_ms']:5.0f}  understand "
            f"{row['understanding_ms']:5.0f}{' (llm)' if row['llm'] else '      '}  tts "
            f"{row['tts_ms']:4.0f}  {row['text']!r} -> {row['heard']!r} [{row['intent']}]"
        )
    totals = [row["total_ms"] for row in rows]
    figures: dict[str, Any] = {
        "requests": len(rows),
        "llm_calls": sum(row["llm"] for row in rows),
        "p50_ms": round(statistics.median(totals), 1),
        "p95_ms": round(percentile(totals, 0.95), 1),
        "max_ms": round(max(totals), 1),
        "end_silence_ms": args.end_silence_ms,
        "load_s": round(load_s, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    for part in ("stt_ms", "understanding_ms", "tts_ms"):
        values = [row[part] for row in rows]
        figures[f"{part[:-3]}_p50_ms"] = round(statistics.median(values), 1)
        figures[f"{part[:-3]}_p95_ms"] = round(percentile(values, 0.95), 1)
    figures["llm_passes"] = len(model_ms)
    figures["understanding_llm_p50_ms"] = round(statistics.median(model_ms), 1)
    figures["understanding_llm_p95_ms"] = round(percentile(model_ms, 0.95), 1)
    # A turn whose understanding needs the model: the spoken parts plus the model pass.
    figures["p95_with_llm_ms"] = round(
        figures["stt_p95_ms"] + figures["understanding_llm_p95_ms"] + figures["tts_p95_ms"], 1
    )
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
