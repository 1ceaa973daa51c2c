"""The device's language model: made once from the package, remade only when it must be."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from edge_agent.voice.model_files import ensure_llm_model
from edge_agent.voice.settings import VoiceSettings


def test_the_packaged_model_is_made_once_and_then_reused(tmp_path: Path) -> None:
    settings = VoiceSettings(data_dir=tmp_path)

    made = ensure_llm_model(settings)
    made_at = made.stat().st_mtime_ns
    again = ensure_llm_model(settings)

    assert made == again == tmp_path / "models" / "gemma-3-270m-q4_k_m-ascii.gguf"
    assert again.stat().st_mtime_ns == made_at, "the model was made a second time"
    assert made.read_bytes()[:4] == b"GGUF"
    left = sorted(path.name for path in (tmp_path / "models").iterdir())
    assert left == [made.name, made.name + ".source"], "working files were left behind"


def marker(model: Path) -> Path:
    return model.with_name(model.name + ".source")


@pytest.mark.parametrize(
    "damage",
    [
        lambda model: marker(model).unlink(),
        lambda model: marker(model).write_text("0000 ascii-0 12\n"),
        lambda model: None,
    ],
    ids=[
        "killed before it was marked",
        "made from another package or by another rewrite",
        "cut short since",
    ],
)
def test_a_model_not_known_to_be_whole_and_from_this_package_is_made_again(
    tmp_path: Path, damage: Callable[[Path], object]
) -> None:
    settings = VoiceSettings(data_dir=tmp_path)
    model = ensure_llm_model(settings)
    size = model.stat().st_size
    model.write_bytes(b"half a model")
    damage(model)

    again = ensure_llm_model(settings)

    assert again.stat().st_size == size and again.read_bytes()[:4] == b"GGUF"


def test_what_earlier_starts_and_releases_left_is_removed(tmp_path: Path) -> None:
    models = tmp_path / "models"
    models.mkdir()
    whole = models / "gemma-3-270m-q4_k_m.gguf"
    whole.write_bytes(b"an earlier release's whole model")
    whole.with_name(whole.name + ".sha256").write_text("a5fd\n")
    killed, running = models / "making-killed", models / "making-running"
    for workspace in (killed, running):
        workspace.mkdir()
        (workspace / "partial.gguf").write_bytes(b"GGUF")
    two_hours_ago = time.time() - 7200
    os.utime(killed, (two_hours_ago, two_hours_ago))

    made = ensure_llm_model(VoiceSettings(data_dir=tmp_path))

    left = sorted(path.name for path in models.iterdir())
    assert left == sorted([made.name, made.name + ".source", running.name])


def test_a_configured_model_is_used_as_it_is(tmp_path: Path) -> None:
    configured = tmp_path / "my-model.gguf"
    configured.write_bytes(b"GGUF")

    assert ensure_llm_model(VoiceSettings(data_dir=tmp_path, llm_model_path=configured)) == (
        configured
    )
    with pytest.raises(FileNotFoundError, match="configured LLM model not found"):
        ensure_llm_model(VoiceSettings(data_dir=tmp_path, llm_model_path=tmp_path / "missing"))
