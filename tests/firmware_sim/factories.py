"""Small factories for the simulator tests."""

from __future__ import annotations

import uuid


def new_patient_id() -> uuid.UUID:
    return uuid.uuid4()


def unique_device_id(prefix: str) -> str:
    """A device id no other test uses (the shared broker sees every test's devices)."""
    return f"{prefix.replace('_', '-')}-{uuid.uuid4().hex[:10]}"
