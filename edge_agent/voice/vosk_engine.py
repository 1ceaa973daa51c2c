"""Vosk, the production engine: a Kaldi model loaded only from a configured directory.

Never by name (that would download). Use vosk-model-small-en-us-0.15, unpacked, and point
`MEDMIND_VOICE_VOSK_MODEL_PATH` at it (see the README).
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from edge_agent.voice.stt import SAMPLE_RATE, Transcript, transcribe_with_stream


class VoskEngine:
    """Streaming recognition with word confidences averaged into one figure."""

    name = "vosk"

    def __init__(self, model_path: Path, *, phrases: list[str] | None = None) -> None:
        if not (model_path / "am").is_dir() and not (model_path / "final.mdl").is_file():
            raise FileNotFoundError(
                f"no vosk model in {model_path} (expected an unpacked model directory, "
                "e.g. vosk-model-small-en-us-0.15)"
            )
        import vosk

        vosk.SetLogLevel(-1)
        self._model: Any = vosk.Model(str(model_path))
        self._phrases = phrases
        self.model_path = model_path

    def open_stream(self) -> VoskStream:
        import vosk

        if self._phrases:
            recognizer = vosk.KaldiRecognizer(
                self._model, SAMPLE_RATE, json.dumps([*self._phrases, "[unk]"], ensure_ascii=False)
            )
        else:
            recognizer = vosk.KaldiRecognizer(self._model, SAMPLE_RATE)
        recognizer.SetWords(True)
        return VoskStream(recognizer, self.name)

    def transcribe(self, pcm16: bytes, sample_rate: int = SAMPLE_RATE) -> Transcript:
        return transcribe_with_stream(self, pcm16, sample_rate)


class VoskStream:
    """Audio goes to the recogniser as it arrives; `finish` only flushes the last frames."""

    def __init__(self, recognizer: Any, engine: str) -> None:
        self._recognizer = recognizer
        self._engine = engine
        self._texts: list[str] = []
        self._confidences: list[float] = []

    def accept(self, pcm16: bytes) -> None:
        if self._recognizer.AcceptWaveform(pcm16):
            self._collect(self._recognizer.Result())

    def finish(self) -> Transcript:
        started = time.perf_counter()
        self._collect(self._recognizer.FinalResult())
        confidence = sum(self._confidences) / len(self._confidences) if self._confidences else 0.0
        return Transcript(
            text=" ".join(self._texts),
            confidence=round(confidence, 3),
            latency_ms=(time.perf_counter() - started) * 1000.0,
            engine=self._engine,
        )

    def _collect(self, result_json: str) -> None:
        result = json.loads(result_json)
        text = str(result.get("text", "")).strip()
        if text:
            self._texts.append(text)
            self._confidences.extend(
                float(word.get("conf", 0.0)) for word in result.get("result", [])
            )
