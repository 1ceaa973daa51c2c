"""Audio helpers: 16 kHz mono PCM16 from WAV files and from espeak-ng, and frame slicing."""

from __future__ import annotations

import io
import subprocess
import wave

from edge_agent.voice.stt import SAMPLE_RATE

FRAME_MS = 30
FRAME_BYTES = SAMPLE_RATE * FRAME_MS // 1000 * 2


def wav_to_pcm16(wav: bytes) -> bytes:
    """Raw 16 kHz mono PCM16 from WAV bytes (resampled with sox when the WAV is not)."""
    with wave.open(io.BytesIO(wav)) as reader:
        if (reader.getframerate(), reader.getnchannels(), reader.getsampwidth()) == (
            SAMPLE_RATE,
            1,
            2,
        ):
            return bytes(reader.readframes(reader.getnframes()))
    return _sox_to_raw(wav)


def speak_to_pcm16(text: str, *, voice: str = "en-us", words_per_minute: int = 150) -> bytes:
    """`text` spoken by espeak-ng, as 16 kHz mono PCM16."""
    wav = subprocess.run(
        ["espeak-ng", "-v", voice, "-s", str(words_per_minute), "--stdout", text],
        check=True,
        capture_output=True,
    ).stdout
    return wav_to_pcm16(wav)


def silence(milliseconds: int) -> bytes:
    return b"\x00\x00" * (SAMPLE_RATE * milliseconds // 1000)


def frames(pcm16: bytes) -> list[bytes]:
    """`pcm16` cut into 30 ms frames (the last one padded with silence)."""
    padded = pcm16 + b"\x00" * (-len(pcm16) % FRAME_BYTES)
    return [padded[start : start + FRAME_BYTES] for start in range(0, len(padded), FRAME_BYTES)]


def _sox_to_raw(wav: bytes) -> bytes:
    # -R: sox dithers when it resamples, with a random seed unless told otherwise; the same
    # speech then gave different samples, and the recogniser different words, run to run.
    return subprocess.run(
        [
            "sox",
            "-R",
            "-t",
            "wav",
            "-",
            "-r",
            str(SAMPLE_RATE),
            "-c",
            "1",
            "-b",
            "16",
            "-e",
            "signed-integer",
            "-t",
            "raw",
            "-",
        ],
        input=wav,
        check=True,
        capture_output=True,
    ).stdout
