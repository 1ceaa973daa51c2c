"""Audio in: end-pointing stops when the speaker does, the virtual microphone plays speech."""

from __future__ import annotations

from edge_agent.voice.audio import FRAME_MS, frames, silence, speak_to_pcm16
from edge_agent.voice.endpointing import Endpointer, EndpointerConfig, EndpointState
from edge_agent.voice.listener import listen
from edge_agent.voice.microphone import VirtualMicrophone
from edge_agent.voice.stt import SAMPLE_RATE, Transcript


def test_end_pointing_ends_after_the_configured_silence() -> None:
    speech = speak_to_pcm16("what do I take tonight")
    endpointer = Endpointer(EndpointerConfig(end_silence_ms=600))
    kept: list[bytes] = []
    fed = 0
    for frame in frames(silence(300) + speech + silence(3000)):
        kept += endpointer.feed(frame)
        fed += 1
        if endpointer.done:
            break

    assert endpointer.state is EndpointState.ENDED
    speech_ms = len(speech) * 1000 // (2 * SAMPLE_RATE)
    assert speech_ms <= len(kept) * FRAME_MS <= speech_ms + 300 + 600 + 2 * FRAME_MS
    assert fed * FRAME_MS < 300 + speech_ms + 1000


def test_silence_alone_gives_up_after_the_timeout() -> None:
    endpointer = Endpointer(EndpointerConfig(no_speech_timeout_s=1.0))
    for frame in frames(silence(5000)):
        endpointer.feed(frame)
        if endpointer.done:
            break

    assert endpointer.state is EndpointState.NO_SPEECH


class CollectingEngine:
    """Records the audio it is fed (the listener's contract with every engine)."""

    name = "collecting"

    def __init__(self) -> None:
        self.received = b""

    def open_stream(self) -> CollectingEngine:
        return self

    def accept(self, pcm16: bytes) -> None:
        self.received += pcm16

    def finish(self) -> Transcript:
        return Transcript("heard", 1.0, 0.0, self.name)

    def transcribe(self, pcm16: bytes, sample_rate: int = SAMPLE_RATE) -> Transcript:
        return self.finish()


def test_the_virtual_microphone_plays_queued_speech_through_the_listener() -> None:
    microphone = VirtualMicrophone()
    microphone.say("I took my pills")
    engine = CollectingEngine()

    heard = listen(microphone, engine)

    assert heard is not None and heard.transcript.text == "heard"
    assert len(engine.received) > SAMPLE_RATE  # more than half a second of speech
    assert microphone.pending == 0
    assert listen(microphone, engine, EndpointerConfig(no_speech_timeout_s=1.0)) is None
