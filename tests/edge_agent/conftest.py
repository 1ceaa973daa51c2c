"""Fixtures for edge tests: a device on the virtual clock, closed after each test."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.edge_agent.factories import Device, build_device, local


@pytest.fixture
def device_factory(tmp_path: Path) -> Iterator[Callable[..., Device]]:
    """Build devices (each with its own data dir unless given); all are closed afterwards."""
    made: list[Device] = []

    def make(start: Any = None, *, data_dir: Path | None = None, **kwargs: Any) -> Device:
        device = build_device(
            data_dir or tmp_path / f"device-{len(made)}",
            start or local(2026, 6, 1, 7, 0),
            **kwargs,
        )
        made.append(device)
        return device

    yield make
    for device in made:
        device.agent.close()
