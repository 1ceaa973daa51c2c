"""Fixtures for voice tests: a device on the virtual clock with a dialog manager, and engines
loaded once per session (the pocketsphinx model and the llama.cpp model are slow to load)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

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


@pytest.fixture(scope="session")
def pocketsphinx_engine(tmp_path_factory: pytest.TempPathFactory) -> PocketsphinxEngine:
    return PocketsphinxEngine(tmp_path_factory.mktemp("stt"))


@pytest.fixture(scope="session")
def llama_runner(tmp_path_factory: pytest.TempPathFactory) -> LlamaCppRunner:
    """The packaged gemma model, assembled into a shared data dir once (reused across runs)."""
    from edge_agent.voice.factory import build_runner

    data_dir = Path.home() / ".cache" / "medmind-tests" / "voice"
    runner = build_runner(VoiceSettings(data_dir=data_dir, llm_enabled=True))
    assert isinstance(runner, LlamaCppRunner)
    return runner
