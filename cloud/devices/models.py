"""Bedside devices, their broker/REST credentials, heartbeats and lifecycle events."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index
from sqlalchemy.orm import Mapped, mapped_column

from cloud.db.base import Base, Timestamped, UUIDPrimaryKey


class Device(UUIDPrimaryKey, Timestamped, Base):
    """A device, known by the text id it uses on the wire (`device_id`)."""

    __tablename__ = "devices"

    device_id: Mapped[str] = mapped_column(unique=True)
    # A device outlives its assignment: unlinking a patient keeps the device record.
    patient_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("patients.id", ondelete="SET NULL"), index=True
    )
    name: Mapped[str] = mapped_column(default="", server_default="")
    online: Mapped[bool] = mapped_column(default=False, server_default="false")
    last_seen_at: Mapped[datetime | None]
    plan_version_applied: Mapped[int | None]
    software_version: Mapped[str | None]
    clock_offset_s: Mapped[float | None]
    last_seq: Mapped[int | None] = mapped_column(BigInteger)
    provisioned_at: Mapped[datetime | None]


class DeviceCredential(UUIDPrimaryKey, Timestamped, Base):
    """The device's secret for the broker and the device REST endpoints (argon2 hash only)."""

    __tablename__ = "device_credentials"

    device_pk: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("devices.id", ondelete="CASCADE"), unique=True
    )
    username: Mapped[str] = mapped_column(unique=True)
    password_hash: Mapped[str]
    # The same secret as Mosquitto's `$7$` PBKDF2-SHA512 form, made at provisioning (the plain
    # secret is never stored): `medmind cloud broker-files` writes it to the password file.
    broker_password_hash: Mapped[str | None]
    revoked_at: Mapped[datetime | None]


class DeviceHeartbeat(UUIDPrimaryKey, Timestamped, Base):
    """One heartbeat as received (kept for the device's health history, partitioned by time).

    Its message id is not unique here: `ingested_messages` already refuses a repeat, and a
    unique key of a partitioned table would have to hold the receive time, which a repeat
    does not share.
    """

    __tablename__ = "device_heartbeats"
    __table_args__ = (
        Index(None, "device_pk", "received_at"),
        {"postgresql_partition_by": "RANGE (received_at)"},
    )

    device_pk: Mapped[uuid.UUID] = mapped_column(ForeignKey("devices.id", ondelete="CASCADE"))
    message_id: Mapped[uuid.UUID | None]
    sent_at: Mapped[datetime]
    # In the key because it is the partition key.
    received_at: Mapped[datetime] = mapped_column(primary_key=True)
    uptime_s: Mapped[float]
    outbox_depth: Mapped[int]
    plan_version: Mapped[int | None]
    software_version: Mapped[str]
    clock_synced: Mapped[bool]
    clock_offset_s: Mapped[float | None]
    voice_models: Mapped[list[Any]] = mapped_column(default=list, server_default="[]")


class DeviceEvent(UUIDPrimaryKey, Timestamped, Base):
    """Something that happened to a device: provisioned, plan applied, came online, ..."""

    __tablename__ = "device_events"
    __table_args__ = (Index(None, "device_pk", "occurred_at"),)

    device_pk: Mapped[uuid.UUID] = mapped_column(ForeignKey("devices.id", ondelete="CASCADE"))
    event_type: Mapped[str]
    occurred_at: Mapped[datetime]
    message_id: Mapped[uuid.UUID | None] = mapped_column(unique=True)
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict, server_default="{}")
