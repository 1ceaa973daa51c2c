"""Fixtures of the simulator tests."""

from __future__ import annotations

import pytest


@pytest.fixture
def anyio_backend() -> str:
    """The console runs on asyncio (textual's loop)."""
    return "asyncio"
