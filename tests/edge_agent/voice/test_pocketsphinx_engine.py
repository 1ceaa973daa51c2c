"""The pocketsphinx engine remembers its running means across restarts."""

from __future__ import annotations

import json
import logging
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from edge_agent.voice import pocketsphinx_engine as engine_module
from edge_agent.voice.audio import speak_to_pcm16
from edge_agent.voice.pocketsphinx_engine import MEANS_SOURCE, PocketsphinxEngine

EVERYDAY = ("I took my pills", "what do I take tonight", "my knee hurts a bit")


@pytest.fixture(scope="module")
def model_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("stt-models")


def means_of(engine: PocketsphinxEngine) -> tuple[str, str]:
    return engine._commands.get_cmn(), engine._free.get_cmn()


def test_a_restarted_engine_starts_from_the_means_it_last_listened_with(
    model_cache: Path, tmp_path: Path
) -> None:
    before = PocketsphinxEngine(model_cache, means_file=tmp_path / "means.json")
    for said in EVERYDAY:
        before.transcribe(speak_to_pcm16(said))

    after = PocketsphinxEngine(model_cache, means_file=tmp_path / "means.json")

    assert not before.remembered_mean
    assert after.remembered_mean
    assert means_of(after) == means_of(before)
    assert means_of(after) != means_of(PocketsphinxEngine(model_cache))
    assert (tmp_path / "means.json").stat().st_mode & 0o777 == 0o644


A_MEAN = "40,3,-1,0,0,0,0,0,0,0,0,0,0"


@pytest.mark.parametrize(
    "content",
    [
        "",
        "not json",
        json.dumps([A_MEAN, A_MEAN]),
        json.dumps({"source": MEANS_SOURCE, "commands": A_MEAN}),
        json.dumps({"source": MEANS_SOURCE, "commands": "40,3,-1", "free": "40,3,-1"}),
        json.dumps({"source": MEANS_SOURCE, "commands": A_MEAN, "free": "nan" + ",0" * 12}),
        json.dumps({"source": MEANS_SOURCE, "commands": 40, "free": 3}),
        json.dumps({"source": "pocketsphinx 0.1 fr", "commands": A_MEAN, "free": A_MEAN}),
        json.dumps({"commands": A_MEAN, "free": A_MEAN}),
    ],
    ids=[
        "empty",
        "garbled",
        "not an object",
        "a decoder missing",
        "too short",
        "not a number",
        "not text",
        "another model's",
        "of unknown origin",
    ],
)
def test_damaged_saved_means_are_not_used_and_are_replaced(
    model_cache: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture, content: str
) -> None:
    saved = tmp_path / "means.json"
    saved.write_text(content, encoding="utf-8")

    with caplog.at_level(logging.WARNING):
        engine = PocketsphinxEngine(model_cache, means_file=saved)

    assert not engine.remembered_mean
    assert means_of(engine) == means_of(PocketsphinxEngine(model_cache))
    assert "listening starts from the model's" in caplog.text
    engine.transcribe(speak_to_pcm16("thank you"))
    assert json.loads(saved.read_text(encoding="utf-8")) == {"source": MEANS_SOURCE} | dict(
        zip(("commands", "free"), means_of(engine), strict=True)
    )


def test_a_data_dir_that_refuses_the_means_warns_once_and_listening_goes_on(
    model_cache: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # A file where the data dir should be: refused even to root, unlike a read-only folder.
    (tmp_path / "data").write_text("", encoding="utf-8")
    engine = PocketsphinxEngine(model_cache, means_file=tmp_path / "data" / "means.json")
    heard = []

    with caplog.at_level(logging.WARNING):
        for said in EVERYDAY:
            heard.append(engine.transcribe(speak_to_pcm16(said)).text)

    assert heard[0] == "i took my pills"
    warnings = [record for record in caplog.records if "running means not saved" in record.message]
    assert len(warnings) == 1, f"{len(warnings)} warnings for {len(EVERYDAY)} failed saves"


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
