"""A speaker for tests and the simulator: records each utterance, its timing and optional WAV."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from edge_agent.clock import Clock
from edge_agent.speaker.base import Synthesizer
from edge_agent.speaker.synth import wav_duration_s


@dataclass(frozen=True)
class SpokenUtterance:
    """One thing the virtual speaker said, when (on the injected clock) and how loud."""

    text: str
    volume: int
    started_at: datetime
    ends_at: datetime
    wav: bytes | None = None


class VirtualSpeaker:
    """Queues utterances on the virtual timeline: each starts when the previous one ends."""

    def __init__(
        self, clock: Clock, synthesizer: Synthesizer | None = None, words_per_minute: int = 150
    ) -> None:
        self.clock = clock
        self.synthesizer = synthesizer
        self.words_per_minute = words_per_minute
        self.utterances: list[SpokenUtterance] = []
        self._lock = threading.Lock()

    def say(self, text: str, *, volume: int) -> None:
        wav = self.synthesizer.synthesize(text, volume=volume) if self.synthesizer else None
        seconds = wav_duration_s(wav) if wav else len(text.split()) * 60.0 / self.words_per_minute
        with self._lock:
            start = self.clock.now()
            if self.utterances and self.utterances[-1].ends_at > start:
                start = self.utterances[-1].ends_at
            end = start + timedelta(seconds=seconds)
            self.utterances.append(SpokenUtterance(text, volume, start, end, wav))

    def close(self) -> None:
        """Nothing to release."""

    @property
    def said(self) -> list[str]:
        """Texts spoken so far, in order."""
        return [u.text for u in self.utterances]

    def clear(self) -> None:
        with self._lock:
            self.utterances.clear()
