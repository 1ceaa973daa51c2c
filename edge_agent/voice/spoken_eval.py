"""The spoken evaluation: each labelled utterance is spoken by a synthetic voice (espeak-ng,
flite or Festival, see `voices`), played through the virtual microphone, end-pointed,
recognised by the STT engine, then understood."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from edge_agent.voice.evaluation import LabelledUtterance, Report, Understander, evaluate
from edge_agent.voice.listener import listen
from edge_agent.voice.microphone import VirtualMicrophone
from edge_agent.voice.settings import VoiceSettings
from edge_agent.voice.stt import SpeechToText
from edge_agent.voice.voices import TUNED_ON, VoiceCondition


@dataclass
class SttStats:
    """How the recogniser did: modes used, nothing heard, exact transcripts, finishing time."""

    engine: str
    modes: dict[str, int] = field(default_factory=dict)
    empty: int = 0
    exact: int = 0
    total: int = 0
    finish_ms: list[float] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        ordered = sorted(self.finish_ms)
        p95 = ordered[int(0.95 * (len(ordered) - 1))] if ordered else 0.0
        return {
            "engine": self.engine,
            "modes": self.modes,
            "empty": self.empty,
            "exact_transcripts": self.exact,
            "utterances": self.total,
            "finish_p95_ms": round(p95, 1),
        }

    def describe(self) -> str:
        return f"stt: {self.summary()}"


def _words(text: str) -> str:
    return " ".join("".join(c for c in text.lower() if c.isalnum() or c in " '").split())


def evaluate_spoken(
    entries: Sequence[LabelledUtterance],
    understand_text: Understander,
    engine: SpeechToText | None = None,
    settings: VoiceSettings | None = None,
    *,
    voice: VoiceCondition | None = None,
) -> tuple[Report, SttStats]:
    """Score `entries` spoken in `voice` (default: the voice tuned on) and heard through the
    STT engine (pocketsphinx by default)."""
    speaker = voice or VoiceCondition.parse(TUNED_ON)
    settings = settings or VoiceSettings()
    if engine is None:
        from edge_agent.voice.factory import build_engine

        engine = build_engine(settings)
    from edge_agent.voice.factory import endpointer_config

    config = endpointer_config(settings)
    microphone = VirtualMicrophone()
    stats = SttStats(engine=engine.name)

    def hear(entry: LabelledUtterance) -> tuple[str, tuple[str, ...]]:
        microphone.play_pcm(speaker.speak(entry.text))
        heard = listen(microphone, engine, config)
        stats.total += 1
        if heard is None:
            stats.empty += 1
            return "", ()
        transcript = heard.transcript
        stats.finish_ms.append(transcript.latency_ms)
        stats.modes[transcript.mode] = stats.modes.get(transcript.mode, 0) + 1
        stats.exact += _words(transcript.text) == _words(entry.text)
        return transcript.text, transcript.alternatives

    return evaluate(entries, understand_text, hear), stats
