"""API shapes of devices, their provisioning secret, heartbeats and events."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from shared.topics import DEVICE_ID_PATTERN

DeviceIdText = Annotated[
    str, Field(pattern=DEVICE_ID_PATTERN, max_length=64, examples=["bedside-0001"])
]


class DeviceIn(BaseModel):
    """Register a device by the id it uses on the wire."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"device_id": "bedside-0001", "name": "Bedroom"}]},
    )

    device_id: DeviceIdText
    name: Annotated[str, Field(max_length=120)] = ""
    patient_id: uuid.UUID | None = None


class DeviceUpdate(BaseModel):
    """Rename a device or (re)assign it to a patient; `patient_id: null` unassigns."""

    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, Field(max_length=120)] | None = None
    patient_id: uuid.UUID | None = None


class DeviceOut(BaseModel):
    """A device with its presence and sync state."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    device_id: str
    patient_id: uuid.UUID | None
    name: str
    online: bool
    last_seen_at: datetime | None
    plan_version_applied: int | None
    software_version: str | None
    clock_offset_s: float | None
    last_seq: int | None
    provisioned_at: datetime | None
    created_at: datetime


class ProvisionOut(BaseModel):
    """The device's credentials. The password is shown only this once."""

    device_id: str
    username: str
    password: str
    mqtt_topic_prefix: str


class HeartbeatOut(BaseModel):
    """One stored heartbeat."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    sent_at: datetime
    received_at: datetime
    uptime_s: float
    outbox_depth: int
    plan_version: int | None
    software_version: str
    clock_synced: bool
    clock_offset_s: float | None
    voice_models: list[Any]


class DeviceEventOut(BaseModel):
    """Something that happened to a device."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    event_type: str
    occurred_at: datetime
    detail: dict[str, Any]


class DeadLetterOut(BaseModel):
    """A rejected message in a batch."""

    message_id: uuid.UUID | None
    reason: str


class EventBatchOut(BaseModel):
    """What happened to an uploaded batch; `ack` lists every id the device may forget."""

    stored: list[uuid.UUID]
    duplicates: list[uuid.UUID]
    dead_lettered: list[DeadLetterOut]
    ack: list[uuid.UUID]
