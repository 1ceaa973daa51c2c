"""One turn of listening: frames from the microphone through end-pointing into a recogniser."""

from __future__ import annotations

import time
from dataclasses import dataclass

from edge_agent.voice.audio import FRAME_MS
from edge_agent.voice.endpointing import Endpointer, EndpointerConfig, EndpointState
from edge_agent.voice.microphone import Microphone
from edge_agent.voice.stt import SpeechToText, Transcript


@dataclass(frozen=True)
class Heard:
    """A finished utterance: its transcript and how long the patient spoke."""

    transcript: Transcript
    speech_ms: int
    endpointed_at: float


def listen(
    microphone: Microphone, engine: SpeechToText, config: EndpointerConfig | None = None
) -> Heard | None:
    """Listen until the patient stops (or never starts: None). Audio streams to the engine."""
    endpointer = Endpointer(config)
    stream = engine.open_stream()
    spoken_frames = 0
    for frame in microphone.frames():
        for speech in endpointer.feed(frame):
            stream.accept(speech)
            spoken_frames += 1
        if endpointer.done:
            break
    endpointed_at = time.perf_counter()
    if endpointer.state is EndpointState.NO_SPEECH or spoken_frames == 0:
        return None
    return Heard(stream.finish(), spoken_frames * FRAME_MS, endpointed_at)
