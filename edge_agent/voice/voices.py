"""Synthetic voices for the spoken evaluation: several synthesizers, rates and noise levels.

A condition is written `synthesizer:voice[:slow][:noise]`, e.g. `espeak-ng:en-us`,
`flite:slt:slow`, `festival:cmu_us_slt_arctic_hts:noise`. Slow speech is about 1.3 times as
long; noise is pink noise made by sox (repeatable) mixed in at `NOISE_SNR_DB` below the speech,
over the speech and the pauses around it, so end-pointing hears the noise too.
"""

from __future__ import annotations

import math
import subprocess
import tempfile
from array import array
from dataclasses import dataclass
from pathlib import Path

from edge_agent.voice.audio import silence, wav_to_pcm16
from edge_agent.voice.stt import SAMPLE_RATE

SYNTHESIZERS = ("espeak-ng", "flite", "festival")
NOISE_SNR_DB = 20.0
SLOW_STRETCH = 1.3
ESPEAK_WPM = 150
NOISE_LEAD_MS = 300
NOISE_TAIL_MS = 1500

# The evaluation matrix (`medmind voice eval --audio --matrix`): the voice the grammar and
# rules were tuned on first, then voices and conditions never tuned on.
TUNED_ON = "espeak-ng:en-us"
MATRIX = (
    TUNED_ON,
    "espeak-ng:en+f3:slow",
    "espeak-ng:en-us:noise",
    "flite:slt",
    "flite:awb:noise",
    "festival:cmu_us_slt_arctic_hts",
    "festival:kal_diphone:slow",
)


@dataclass(frozen=True)
class VoiceCondition:
    """One synthetic voice at one rate, clean or with noise."""

    synthesizer: str
    voice: str
    slow: bool = False
    noisy: bool = False

    @classmethod
    def parse(cls, spec: str) -> VoiceCondition:
        """`synthesizer:voice[:slow][:noise]` (a bare voice is espeak-ng's); raises ValueError
        on anything else."""
        parts = spec.split(":") if ":" in spec else ["espeak-ng", spec]
        if len(parts) < 2 or parts[0] not in SYNTHESIZERS or not parts[1]:
            raise ValueError(
                f"voice {spec!r}: expected synthesizer:voice[:slow][:noise] with a "
                f"synthesizer among {', '.join(SYNTHESIZERS)}"
            )
        flags = parts[2:]
        unknown = set(flags) - {"slow", "noise"}
        if unknown:
            raise ValueError(f"voice {spec!r}: unknown condition {sorted(unknown)[0]!r}")
        return cls(parts[0], parts[1], slow="slow" in flags, noisy="noise" in flags)

    @property
    def name(self) -> str:
        flags = [flag for flag, on in (("slow", self.slow), ("noise", self.noisy)) if on]
        return ":".join([self.synthesizer, self.voice, *flags])

    def speak(self, text: str) -> bytes:
        """`text` in this voice and condition, as 16 kHz mono PCM16."""
        pcm = wav_to_pcm16(self._wav(text))
        if not self.noisy:
            return pcm
        padded = silence(NOISE_LEAD_MS) + pcm + silence(NOISE_TAIL_MS)
        return mix_noise(padded, reference=pcm, snr_db=NOISE_SNR_DB)

    def _wav(self, text: str) -> bytes:
        if self.synthesizer == "espeak-ng":
            rate = round(ESPEAK_WPM / SLOW_STRETCH) if self.slow else ESPEAK_WPM
            command = ["espeak-ng", "-v", self.voice, "-s", str(rate), "--stdout", text]
            return subprocess.run(command, check=True, capture_output=True).stdout
        with tempfile.TemporaryDirectory() as scratch:
            out = Path(scratch) / "speech.wav"
            if self.synthesizer == "flite":
                command = ["flite", "-voice", self.voice, "-t", text, "-o", str(out)]
                if self.slow:
                    command += ["--setf", f"duration_stretch={SLOW_STRETCH}"]
            else:
                source = Path(scratch) / "text.txt"
                source.write_text(text, encoding="utf-8")
                command = ["text2wave", "-o", str(out), "-eval", f"(voice_{self.voice})"]
                if self.slow:
                    command += ["-eval", f"(Parameter.set 'Duration_Stretch {SLOW_STRETCH})"]
                command.append(str(source))
            subprocess.run(command, check=True, capture_output=True)
            return out.read_bytes()


def rms(pcm16: bytes) -> float:
    samples = array("h", pcm16)
    return math.sqrt(sum(sample * sample for sample in samples) / max(len(samples), 1))


def pink_noise(samples: int) -> bytes:
    """`samples` of pink noise from sox, the same every time (`-R`)."""
    seconds = samples / SAMPLE_RATE
    command = ["sox", "-R", "-n", "-r", str(SAMPLE_RATE), "-c", "1", "-b", "16"]
    command += ["-e", "signed-integer", "-t", "raw", "-", "synth", f"{seconds:.4f}", "pinknoise"]
    noise = subprocess.run(command, check=True, capture_output=True).stdout
    return (noise + silence(1000))[: samples * 2]


def mix_noise(pcm16: bytes, *, reference: bytes, snr_db: float) -> bytes:
    """`pcm16` with pink noise added `snr_db` below the RMS of `reference` (the speech)."""
    noise = array("h", pink_noise(len(pcm16) // 2))
    gain = rms(reference) / (10 ** (snr_db / 20)) / max(rms(noise.tobytes()), 1.0)
    mixed = array(
        "h",
        (
            max(-32768, min(32767, round(sample + gain * hiss)))
            for sample, hiss in zip(array("h", pcm16), noise, strict=True)
        ),
    )
    return mixed.tobytes()
