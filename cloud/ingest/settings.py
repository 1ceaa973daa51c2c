"""Settings of the ingest workers and presence (`MEDMIND_INGEST_*`)."""

from __future__ import annotations

import os
import socket
from datetime import timedelta

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from cloud.ingest.facts import TimeBounds


def _default_worker_id() -> str:
    return f"{socket.gethostname()}-{os.getpid()}"


class IngestSettings(BaseSettings):
    """How a worker batches, who it is to the broker, and when a silent device is offline."""

    model_config = SettingsConfigDict(env_prefix="MEDMIND_INGEST_", env_file=".env", extra="ignore")

    worker_id: str | None = Field(
        default=None,
        pattern=r"^[A-Za-z0-9_.-]+$",
        description="A stable id per worker: its broker session then persists, and messages "
        "in flight when it died come back when it restarts. Unset: hostname-pid and a clean "
        "session (devices republish what was lost), so restarts leave no stale sessions.",
    )
    max_batch: int = Field(default=500, ge=1, le=10_000, description="Messages per commit.")
    retry_base_s: float = Field(default=0.5, gt=0, description="First wait after a failed commit.")
    retry_cap_s: float = Field(default=30.0, gt=0)
    offline_after_s: float = Field(
        default=900.0, gt=0, description="A device silent this long is offline (and alerted)."
    )
    fact_max_age_days: int = Field(
        default=366,
        ge=1,
        le=36_500,
        description="A device-clock time older than this at receipt is a dead letter.",
    )
    clock_max_lead_s: float = Field(
        default=600.0,
        ge=0,
        le=100 * 366 * 86_400,
        description="How far past receipt a device-clock time may lie, on top of the device's "
        "measured clock lead, before it is a dead letter.",
    )

    @property
    def time_bounds(self) -> TimeBounds:
        return TimeBounds(
            max_age=timedelta(days=self.fact_max_age_days),
            max_ahead=timedelta(seconds=self.clock_max_lead_s),
        )

    @property
    def name(self) -> str:
        return self.worker_id or _default_worker_id()

    @property
    def persistent_session(self) -> bool:
        return self.worker_id is not None
