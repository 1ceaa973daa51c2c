"""Fixtures for voice tests: a device on the virtual clock with a dialog manager, a fresh
pocketsphinx engine per test (its model files assembled once per session) and the llama.cpp
model loaded once per session (slow to load)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from edge_agent.voice.audio import speak_to_pcm16
from edge_agent.voice.dialog import DialogManager
from edge_agent.voice.llama_runner import LlamaCppRunner
from edge_agent.voice.pocketsphinx_engine import PocketsphinxEngine
from edge_agent.voice.settings import VoiceSettings
from tests.edge_agent.factories import Device, build_device, local, make_item, make_plan


@pytest.fixture
def device_factory(tmp_path: Path) -> Iterator[Callable[..., Device]]:
    made: list[Device] = []

    def make(start: Any = None, **kwargs: Any) -> Device:
        kwargs.setdefault(
            "plan",
            make_plan(
                make_item("Metformin", ["08:00", "20:00"]),
                make_item("Aspirin", ["08:00"]),
                make_item("Ibuprofen", as_needed=True, max_per_day=2),
            ),
        )
        device = build_device(
            tmp_path / f"device-{len(made)}", start or local(2026, 6, 1, 7, 0), **kwargs
        )
        made.append(device)
        return device

    yield make
    for device in made:
        device.agent.close()


@pytest.fixture
def device(device_factory: Callable[..., Device]) -> Device:
    """A device at 08:05 on a Monday, the morning doses reminded and waiting."""
    made = device_factory(local(2026, 6, 1, 7, 0))
    made.advance_to(local(2026, 6, 1, 8, 5))
    return made


@pytest.fixture
def dialog(device: Device) -> DialogManager:
    return DialogManager(
        device.agent.actions, device.clock, timers=device.agent.loop, say=device.agent.say
    )


# What a device in use has heard: its running means have settled on the voice. Each test's
# engine starts from them, as after a restart; an engine shared by tests heard what earlier
# tests said, and results depended on their order (a fresh engine hears "call an ambulance" as
# "hello no"; docs/voice.md, "Fourth round").
EVERYDAY_SPEECH = (
    "I took my pills",
    "what do I take tonight",
    "my knee hurts a bit",
    "thank you",
    "remind me later",
    "did I take my morning pills",
    "my grandson plays football on Sundays",
    "is it time for my evening pills yet",
)


@pytest.fixture(scope="session")
def stt_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The assembled speech models, built once per test session."""
    return tmp_path_factory.mktemp("stt")


@pytest.fixture(scope="session")
def settled_means(stt_cache: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The running means (as saved) of an engine that has heard some everyday speech."""
    saved = tmp_path_factory.mktemp("means") / "means.json"
    engine = PocketsphinxEngine(stt_cache, means_file=saved)
    for sentence in EVERYDAY_SPEECH:
        engine.transcribe(speak_to_pcm16(sentence))
    return saved.read_text(encoding="utf-8")


@pytest.fixture
def pocketsphinx_engine(stt_cache: Path, settled_means: str, tmp_path: Path) -> PocketsphinxEngine:
    """The device's recogniser as it is in use, restarted from its settled means."""
    means = tmp_path / "means.json"
    means.write_text(settled_means, encoding="utf-8")
    return PocketsphinxEngine(stt_cache, means_file=means)


@pytest.fixture(scope="session")
def llama_runner(tmp_path_factory: pytest.TempPathFactory) -> LlamaCppRunner:
    """The packaged gemma model, assembled into a shared data dir once (reused across runs)."""
    from edge_agent.voice.factory import build_runner

    data_dir = Path.home() / ".cache" / "medmind-tests" / "voice"
    runner = build_runner(VoiceSettings(data_dir=data_dir, llm_enabled=True))
    assert isinstance(runner, LlamaCppRunner)
    return runner
