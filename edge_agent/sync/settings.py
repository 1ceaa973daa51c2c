"""Typed settings of the device's MQTT sync (embedded in the agent's configuration)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, Field, SecretStr


class SyncSettings(BaseModel):
    """Where the broker is, who the device is to it, and how hard the sync pushes."""

    broker_url: str = Field(
        default="mqtt://127.0.0.1:1883",
        description="mqtt://host:port, or mqtts://host:port for TLS (port 8883 by default).",
    )
    ca_file: Path | None = Field(
        default=None, description="CA certificate(s) to trust for mqtts://; unset: the system's."
    )
    username: str | None = Field(default=None, description="Broker user; the device id if unset.")
    password: SecretStr | None = None
    protocol: Literal["3.1.1", "5"] = "3.1.1"
    keepalive_s: int = Field(default=30, ge=5, le=3600)
    max_in_flight: int = Field(
        default=50, ge=1, le=1000, description="Outbox rows published and not yet acked."
    )
    ack_timeout_s: float = Field(
        default=30.0, gt=0, description="Republish a row the cloud has not acked after this."
    )
    backoff_base_s: float = Field(default=1.0, gt=0)
    backoff_cap_s: float = Field(default=60.0, gt=0)
    heartbeat_interval_s: float = Field(default=300.0, gt=0)
    software_version: str = "0.1.0"

    @property
    def host(self) -> str:
        return urlsplit(self.broker_url).hostname or "127.0.0.1"

    @property
    def tls(self) -> bool:
        return urlsplit(self.broker_url).scheme == "mqtts"

    @property
    def port(self) -> int:
        return urlsplit(self.broker_url).port or (8883 if self.tls else 1883)
