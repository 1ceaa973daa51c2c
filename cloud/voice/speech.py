"""Speech to text for WAV uploads: vosk with a configured model, else pocketsphinx's own model.

Both models are local files (vosk: a configured directory; pocketsphinx: the English model in
its wheel); nothing is downloaded. Uploads must be 16 kHz, 16-bit PCM WAV, mono or stereo
(stereo is reduced to its first channel), the format the device records.
"""

from __future__ import annotations

import io
import json
import threading
import wave
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

from cloud.errors import ValidationFailedError

SAMPLE_RATE = 16_000


class SpeechRecognizer(Protocol):
    """Turns 16 kHz mono PCM16 audio into text."""

    name: str

    def transcribe(self, pcm16: bytes) -> str:
        """The words heard (empty if none)."""


def read_wav(data: bytes) -> bytes:
    """Mono 16 kHz PCM16 frames of a WAV file; ValidationFailedError for anything else."""
    try:
        with wave.open(io.BytesIO(data)) as wav:
            channels, width, rate = wav.getnchannels(), wav.getsampwidth(), wav.getframerate()
            frames = wav.readframes(wav.getnframes())
    except (wave.Error, EOFError) as exc:
        raise ValidationFailedError(f"not a readable WAV file: {exc}") from None
    if width != 2 or rate != SAMPLE_RATE or channels not in (1, 2):
        raise ValidationFailedError(
            f"audio must be 16-bit PCM at {SAMPLE_RATE} Hz, mono or stereo "
            f"(got {8 * width}-bit, {rate} Hz, {channels} channels)"
        )
    if channels == 2:
        frames = b"".join(frames[i : i + 2] for i in range(0, len(frames), 4))
    return bytes(frames)


class PocketsphinxRecognizer:
    """Open-vocabulary English with the model bundled in the pocketsphinx wheel."""

    name = "pocketsphinx"

    def __init__(self) -> None:
        from pocketsphinx import Decoder

        self._decoder: Any = Decoder(samprate=SAMPLE_RATE, loglevel="FATAL")
        self._lock = threading.Lock()

    def transcribe(self, pcm16: bytes) -> str:
        with self._lock:
            self._decoder.start_utt()
            self._decoder.process_raw(pcm16, False, True)
            self._decoder.end_utt()
            hypothesis = self._decoder.hyp()
        return "" if hypothesis is None else str(hypothesis.hypstr)


class VoskRecognizer:
    """Vosk with an unpacked model directory."""

    name = "vosk"

    def __init__(self, model_path: Path) -> None:
        import vosk

        vosk.SetLogLevel(-1)
        self._model: Any = vosk.Model(str(model_path))

    def transcribe(self, pcm16: bytes) -> str:
        import vosk

        recognizer: Any = vosk.KaldiRecognizer(self._model, SAMPLE_RATE)
        recognizer.AcceptWaveform(pcm16)
        return str(json.loads(recognizer.FinalResult()).get("text", ""))


@lru_cache(maxsize=2)
def recognizer(vosk_model_path: Path | None) -> SpeechRecognizer:
    """The process's recognizer (models load once)."""
    if vosk_model_path is not None:
        return VoskRecognizer(vosk_model_path)
    return PocketsphinxRecognizer()
