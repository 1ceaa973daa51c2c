"""The real speaker: one worker thread synthesizes and plays utterances in order (no overlap)."""

from __future__ import annotations

import logging
import queue
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path

from edge_agent.config import AudioSettings
from edge_agent.speaker.base import Synthesizer
from edge_agent.speaker.synth import EspeakSynthesizer, PiperSynthesizer

log = logging.getLogger(__name__)


class AplayPlayer:
    """Plays WAV bytes with ALSA's `aplay`; logs instead when the device has no aplay."""

    def __init__(self, device: str | None = None) -> None:
        self.device = device
        self.command = shutil.which("aplay")
        if self.command is None:
            log.warning("aplay not found: utterances are synthesized but not played")

    def play(self, wav: bytes) -> None:
        if self.command is None:
            return
        with tempfile.NamedTemporaryFile(suffix=".wav") as handle:
            handle.write(wav)
            handle.flush()
            device = ["-D", self.device] if self.device else []
            subprocess.run([self.command, "-q", *device, handle.name], check=False, timeout=120)


class QueuedSpeaker:
    """Speaks queued utterances one at a time on a worker thread."""

    def __init__(self, synthesizer: Synthesizer, player: AplayPlayer) -> None:
        self.synthesizer = synthesizer
        self.player = player
        self._queue: queue.Queue[tuple[str, int] | None] = queue.Queue()
        self._worker = threading.Thread(target=self._run, name="speaker", daemon=True)
        self._worker.start()

    def say(self, text: str, *, volume: int) -> None:
        self._queue.put((text, volume))

    def close(self) -> None:
        self._queue.put(None)
        self._worker.join(timeout=30)

    def _run(self) -> None:
        while (item := self._queue.get()) is not None:
            text, volume = item
            try:
                self.player.play(self.synthesizer.synthesize(text, volume=volume))
            except (OSError, subprocess.SubprocessError):
                log.exception("could not speak %r", text)


def build_speaker(audio: AudioSettings) -> QueuedSpeaker:
    """The speaker the settings describe: piper with its model if set, else espeak-ng."""
    synthesizer: Synthesizer
    if audio.tts_engine == "piper" and audio.piper_model is not None:
        synthesizer = PiperSynthesizer(Path(audio.piper_model))
    else:
        synthesizer = EspeakSynthesizer(audio.espeak_voice, audio.words_per_minute)
    return QueuedSpeaker(synthesizer, AplayPlayer(audio.output_device))
