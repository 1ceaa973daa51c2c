"""Speech: espeak-ng synthesis, the queued speaker's order, the virtual speaker's timeline, and
quiet hours."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta

from edge_agent.clock import VirtualClock
from edge_agent.speaker import EspeakSynthesizer, QueuedSpeaker, VirtualSpeaker, wav_duration_s
from edge_agent.speaker.queued import AplayPlayer
from edge_agent.speaker.synth import scale_wav
from tests.edge_agent.factories import Device, local, make_item, make_plan

Factory = Callable[..., Device]


class RecordingPlayer(AplayPlayer):
    """Keeps the WAVs instead of playing them, and notes whether two ever overlapped."""

    def __init__(self) -> None:
        super().__init__()
        self.played: list[bytes] = []
        self.overlapped = False
        self._busy = threading.Lock()
        self.done = threading.Event()

    def play(self, wav: bytes) -> None:
        if not self._busy.acquire(blocking=False):
            self.overlapped = True
            return
        try:
            self.played.append(wav)
        finally:
            self._busy.release()


def test_espeak_makes_a_wav_whose_loudness_follows_volume() -> None:
    synth = EspeakSynthesizer()
    loud = synth.synthesize("Time for your tablets.", volume=100)
    quiet = synth.synthesize("Time for your tablets.", volume=20)
    assert loud[:4] == b"RIFF"
    assert 0.5 < wav_duration_s(loud) < 5
    assert max(abs(s) for s in _samples(quiet)) < max(abs(s) for s in _samples(loud))


def test_scaling_a_wav_scales_its_samples() -> None:
    wav = EspeakSynthesizer().synthesize("hello", volume=100)
    halved = scale_wav(wav, 0.5)
    assert max(map(abs, _samples(halved))) <= max(map(abs, _samples(wav))) // 2 + 1


def test_queued_speaker_speaks_in_order_one_at_a_time() -> None:
    player = RecordingPlayer()
    speaker = QueuedSpeaker(EspeakSynthesizer(), player)
    for text in ("one", "two three four", "five"):
        speaker.say(text, volume=50)
    speaker.close()
    assert len(player.played) == 3 and not player.overlapped
    durations = [wav_duration_s(w) for w in player.played]
    assert durations[1] > durations[0], "utterances were played out of order"


def test_virtual_speaker_never_overlaps_utterances() -> None:
    clock = VirtualClock(local(2026, 6, 1, 8, 0))
    speaker = VirtualSpeaker(clock, EspeakSynthesizer())
    speaker.say("It is time for your medication.", volume=80)
    speaker.say("Press taken when you have taken it.", volume=80)
    first, second = speaker.utterances
    assert first.wav is not None and first.wav[:4] == b"RIFF"
    assert second.started_at == first.ends_at
    assert first.ends_at - first.started_at == timedelta(seconds=wav_duration_s(first.wav))


def test_quiet_hours_lower_the_voice_but_not_the_led(device_factory: Factory) -> None:
    plan = make_plan(make_item("Metformin", ["08:00", "23:00"]))
    device = device_factory(local(2026, 6, 1, 7, 0), plan=plan)
    audio = device.settings.audio
    device.advance_to(local(2026, 6, 1, 8, 0))
    assert device.speaker.utterances[-1].volume == audio.volume
    device.advance_to(local(2026, 6, 1, 23, 0))
    assert device.speaker.utterances[-1].volume == audio.quiet_volume
    assert device.hardware.status.value == "due"


def _samples(wav: bytes) -> list[int]:
    import array
    import io
    import wave

    with wave.open(io.BytesIO(wav)) as reader:
        return list(array.array("h", reader.readframes(reader.getnframes())))
