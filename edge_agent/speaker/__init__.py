"""Speech output: a `Speaker` protocol, espeak-ng/piper synthesis, a queued real speaker, and a
virtual speaker that records what was said (tests and the simulator)."""

from edge_agent.speaker.base import Speaker, Synthesizer
from edge_agent.speaker.queued import QueuedSpeaker, build_speaker
from edge_agent.speaker.synth import EspeakSynthesizer, PiperSynthesizer, wav_duration_s
from edge_agent.speaker.virtual import SpokenUtterance, VirtualSpeaker

__all__ = [
    "EspeakSynthesizer",
    "PiperSynthesizer",
    "QueuedSpeaker",
    "Speaker",
    "SpokenUtterance",
    "Synthesizer",
    "VirtualSpeaker",
    "build_speaker",
    "wav_duration_s",
]
