"""The device's recogniser is attuned before the patient's first sentence; evaluation engines
all start alike."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from edge_agent.voice.audio import speak_to_pcm16
from edge_agent.voice.factory import MEANS_FILE, build_engine, build_voice_loop
from edge_agent.voice.microphone import VirtualMicrophone
from edge_agent.voice.pocketsphinx_engine import PocketsphinxEngine
from edge_agent.voice.settings import VoiceSettings
from tests.edge_agent.factories import Device


def test_the_device_engine_is_warmed_up_once_then_starts_from_its_saved_means(
    tmp_path: Path,
) -> None:
    settings, means = VoiceSettings(data_dir=tmp_path / "voice"), tmp_path / MEANS_FILE

    first = build_engine(settings, means_file=means)
    saved_by_the_warm_up = means.read_text(encoding="utf-8")
    after_a_restart = build_engine(settings, means_file=means)

    assert isinstance(first, PocketsphinxEngine)
    assert isinstance(after_a_restart, PocketsphinxEngine)
    assert not first.remembered_mean
    assert after_a_restart.remembered_mean
    # Not warmed up again: that would have moved the means and saved them.
    assert means.read_text(encoding="utf-8") == saved_by_the_warm_up


def test_an_evaluation_engine_neither_uses_nor_saves_the_devices_means(tmp_path: Path) -> None:
    settings, means = VoiceSettings(data_dir=tmp_path / "voice"), tmp_path / MEANS_FILE
    build_engine(settings, means_file=means)
    saved = means.read_text(encoding="utf-8")

    engine = build_engine(settings)
    engine.transcribe(speak_to_pcm16("I took my pills"))

    assert isinstance(engine, PocketsphinxEngine)
    assert not engine.remembered_mean
    assert means.read_text(encoding="utf-8") == saved


def test_each_device_keeps_its_own_means_beside_its_records(
    device_factory: Callable[..., Device], tmp_path: Path
) -> None:
    settings = VoiceSettings(data_dir=tmp_path / "shared-models")
    kitchen, bedroom = device_factory(), device_factory()

    build_voice_loop(kitchen.agent, settings, microphone=VirtualMicrophone())

    assert (kitchen.agent.settings.data_dir / MEANS_FILE).is_file()
    assert not (bedroom.agent.settings.data_dir / MEANS_FILE).exists()
    assert not (settings.data_dir / MEANS_FILE).exists()
