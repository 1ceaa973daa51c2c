"""Text to WAV with espeak-ng (always available on the device) or piper (with a voice model)."""

from __future__ import annotations

import array
import io
import subprocess
import sys
import tempfile
import wave
from pathlib import Path


def wav_duration_s(wav: bytes) -> float:
    """Length of a WAV file's audio in seconds."""
    with wave.open(io.BytesIO(wav)) as reader:
        frames: int = reader.getnframes()
        rate: int = reader.getframerate()
    return frames / float(rate)


def scale_wav(wav: bytes, factor: float) -> bytes:
    """The same 16-bit WAV with every sample scaled by `factor` (volume for engines without one)."""
    with wave.open(io.BytesIO(wav)) as reader:
        params = reader.getparams()
        frames = reader.readframes(reader.getnframes())
    if params.sampwidth != 2:
        return wav
    samples = array.array("h", frames)
    if sys.byteorder == "big":
        samples.byteswap()
    scaled = array.array("h", (max(-32768, min(32767, int(s * factor))) for s in samples))
    if sys.byteorder == "big":
        scaled.byteswap()
    out = io.BytesIO()
    with wave.open(out, "wb") as writer:
        writer.setparams(params)
        writer.writeframes(scaled.tobytes())
    return out.getvalue()


class EspeakSynthesizer:
    """espeak-ng through its command line (`espeak-ng -w file.wav`)."""

    name = "espeak-ng"

    def __init__(self, voice: str = "en", words_per_minute: int = 150) -> None:
        self.voice = voice
        self.words_per_minute = words_per_minute

    def synthesize(self, text: str, *, volume: int) -> bytes:
        # espeak-ng's amplitude runs 0-200 with 100 as its normal loudness.
        amplitude = str(max(0, min(200, volume * 2)))
        with tempfile.TemporaryDirectory(prefix="medmind-tts-") as workdir:
            target = Path(workdir) / "utterance.wav"
            subprocess.run(
                [
                    "espeak-ng",
                    "-v",
                    self.voice,
                    "-s",
                    str(self.words_per_minute),
                    "-a",
                    amplitude,
                    "-w",
                    str(target),
                    "--",
                    text,
                ],
                check=True,
                capture_output=True,
                timeout=30,
            )
            return target.read_bytes()


class PiperSynthesizer:
    """piper with a local voice model (`piper --model voice.onnx --output_file file.wav`)."""

    name = "piper"

    def __init__(self, model: Path) -> None:
        self.model = model

    def synthesize(self, text: str, *, volume: int) -> bytes:
        with tempfile.TemporaryDirectory(prefix="medmind-tts-") as workdir:
            target = Path(workdir) / "utterance.wav"
            subprocess.run(
                ["piper", "--model", str(self.model), "--output_file", str(target)],
                input=text.encode(),
                check=True,
                capture_output=True,
                timeout=60,
            )
            return scale_wav(target.read_bytes(), volume / 100.0)
