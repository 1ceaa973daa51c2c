"""The speech-to-text seam: every engine turns 16 kHz mono PCM16 into a `Transcript`.

Engines stream: `open_stream()` returns a recogniser fed while the patient speaks, so little is
left to do when they stop (`finish()`); `transcribe()` is the one-shot form for whole clips.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

SAMPLE_RATE = 16_000


@dataclass(frozen=True)
class Transcript:
    """What an engine heard, how sure it is (0..1), how long finishing took, and which engine.

    `alternatives` are other hypotheses the engine considered (the emergency rules check them).
    """

    text: str
    confidence: float
    latency_ms: float
    engine: str
    mode: str = "open"
    alternatives: tuple[str, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not self.text.strip()


class SttStream(Protocol):
    """One utterance being recognised."""

    def accept(self, pcm16: bytes) -> None:
        """Feed the next chunk of 16 kHz mono signed 16-bit little-endian audio."""
        ...

    def finish(self) -> Transcript:
        """End of speech: the final transcript (`latency_ms` is the time spent here)."""
        ...


class SpeechToText(Protocol):
    """A speech-to-text engine."""

    name: str

    def open_stream(self) -> SttStream:
        """Start recognising a new utterance."""
        ...

    def transcribe(self, pcm16: bytes, sample_rate: int = SAMPLE_RATE) -> Transcript:
        """Recognise a whole clip (16 kHz mono PCM16)."""
        ...


def transcribe_with_stream(engine: SpeechToText, pcm16: bytes, sample_rate: int) -> Transcript:
    """`transcribe` for streaming engines: feed the clip in 100 ms chunks, then finish."""
    if sample_rate != SAMPLE_RATE:
        raise ValueError(f"{engine.name} takes {SAMPLE_RATE} Hz audio, got {sample_rate} Hz")
    stream = engine.open_stream()
    chunk = SAMPLE_RATE // 10 * 2
    for start in range(0, len(pcm16), chunk):
        stream.accept(pcm16[start : start + chunk])
    return stream.finish()
