"""The pocketsphinx engine remembers its running means across restarts."""

from __future__ import annotations

import json
import logging
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from edge_agent.voice import pocketsphinx_engine as engine_module
from edge_agent.voice.audio import speak_to_pcm16
from edge_agent.voice.pocketsphinx_engine import PocketsphinxEngine

EVERYDAY = ("I took my pills", "what do I take tonight", "my knee hurts a bit")


@pytest.fixture(scope="module")
def model_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("stt-models")


def means_of(engine: PocketsphinxEngine) -> tuple[str, str]:
    return engine._commands.get_cmn(), engine._free.get_cmn()


def test_a_restarted_engine_starts_from_the_means_it_last_listened_with(
    model_cache: Path, tmp_path: Path
) -> None:
    before = PocketsphinxEngine(model_cache, mean_file=tmp_path / "means.json")
    for said in EVERYDAY:
        before.transcribe(speak_to_pcm16(said))

    after = PocketsphinxEngine(model_cache, mean_file=tmp_path / "means.json")

    assert not before.remembered_mean
    assert after.remembered_mean
    assert means_of(after) == means_of(before)
    assert means_of(after) != means_of(PocketsphinxEngine(model_cache))


@pytest.mark.parametrize(
    "content",
    [
        "not json",
        json.dumps({"commands": "40,3,-1"}),
        json.dumps({"commands": "40,3,-1,0,0,0,0,0,0,0,0,0,0", "free": "nan" + ",0" * 12}),
        json.dumps({"commands": 40, "free": 3}),
    ],
    ids=["garbled", "a decoder missing and too short", "not a number", "not text"],
)
def test_damaged_saved_means_are_not_used_and_are_replaced(
    model_cache: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture, content: str
) -> None:
    saved = tmp_path / "means.json"
    saved.write_text(content, encoding="utf-8")

    with caplog.at_level(logging.WARNING):
        engine = PocketsphinxEngine(model_cache, mean_file=saved)

    assert not engine.remembered_mean
    assert means_of(engine) == means_of(PocketsphinxEngine(model_cache))
    assert "listening starts from the model's" in caplog.text
    engine.transcribe(speak_to_pcm16("thank you"))
    assert json.loads(saved.read_text(encoding="utf-8")) == dict(
        zip(("commands", "free"), means_of(engine), strict=True)
    )


def test_an_engine_without_a_means_file_saves_nothing(
    model_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = PocketsphinxEngine(model_cache)
    written: list[Path] = []
    monkeypatch.setattr(engine_module, "_write_whole", lambda path, text: written.append(path))

    engine.transcribe(speak_to_pcm16("thank you"))

    assert not engine.remembered_mean
    assert written == [], f"an engine without a means file wrote {written}"


def test_engines_starting_together_on_an_empty_cache_both_load(tmp_path: Path) -> None:
    # Two simulated devices (or a device and `medmind voice eval`) share the model cache; the
    # second used to fail when the first renamed the half-written files they shared.
    with ThreadPoolExecutor(max_workers=2) as pool:
        engines = list(pool.map(lambda _: PocketsphinxEngine(tmp_path), range(2)))

    heard = [engine.transcribe(speak_to_pcm16("I took my pills")).text for engine in engines]
    assert heard == ["i took my pills"] * 2
    assert not list(tmp_path.rglob("*.tmp")), "a partial file was left in the cache"
