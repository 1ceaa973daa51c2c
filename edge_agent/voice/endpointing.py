"""Voice-activity end-pointing with webrtcvad: listening stops when the patient does.

Speech starts after a few voiced frames in a row and ends after `end_silence_ms` of silence;
a short pre-roll keeps the first syllable. Without speech at all, listening gives up after
`no_speech_timeout_s`; an endless utterance is cut at `max_utterance_s`.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from edge_agent.voice.audio import FRAME_MS
from edge_agent.voice.stt import SAMPLE_RATE

START_FRAMES = 3
PRE_ROLL_FRAMES = 10


class EndpointState(StrEnum):
    WAITING = "waiting"
    SPEAKING = "speaking"
    ENDED = "ended"
    NO_SPEECH = "no_speech"


@dataclass(frozen=True)
class EndpointerConfig:
    aggressiveness: int = 2
    end_silence_ms: int = 600
    max_utterance_s: float = 10.0
    no_speech_timeout_s: float = 6.0


class Endpointer:
    """Feed 30 ms frames; it says when speech started and ended and hands out speech frames."""

    def __init__(self, config: EndpointerConfig | None = None) -> None:
        import webrtcvad

        self.config = config or EndpointerConfig()
        self._vad: Any = webrtcvad.Vad(self.config.aggressiveness)
        self.state = EndpointState.WAITING
        self._pre_roll: deque[bytes] = deque(maxlen=PRE_ROLL_FRAMES)
        self._voiced_run = 0
        self._silent_ms = 0
        self._frames_seen = 0
        self._speech_frames = 0

    def feed(self, frame: bytes) -> list[bytes]:
        """Take one frame; return the frames that belong to the utterance (maybe none)."""
        if self.state in (EndpointState.ENDED, EndpointState.NO_SPEECH):
            return []
        self._frames_seen += 1
        voiced = self._vad.is_speech(frame, SAMPLE_RATE)
        if self.state is EndpointState.WAITING:
            self._pre_roll.append(frame)
            self._voiced_run = self._voiced_run + 1 if voiced else 0
            if self._voiced_run >= START_FRAMES:
                self.state = EndpointState.SPEAKING
                emitted = list(self._pre_roll)
                self._speech_frames = len(emitted)
                return emitted
            if self._frames_seen * FRAME_MS >= self.config.no_speech_timeout_s * 1000:
                self.state = EndpointState.NO_SPEECH
            return []
        self._speech_frames += 1
        self._silent_ms = 0 if voiced else self._silent_ms + FRAME_MS
        heard_ms = self._speech_frames * FRAME_MS
        if (
            self._silent_ms >= self.config.end_silence_ms
            or heard_ms >= self.config.max_utterance_s * 1000
        ):
            self.state = EndpointState.ENDED
        return [frame]

    @property
    def done(self) -> bool:
        return self.state in (EndpointState.ENDED, EndpointState.NO_SPEECH)
