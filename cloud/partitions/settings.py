"""How long the growth tables keep their rows; read from `MEDMIND_PARTITIONS_*` or `.env`."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from cloud.partitions.service import Expired


class PartitionSettings(BaseSettings):
    """Retention per kind of growth table, in days. The medical record has no setting here:
    dose events, occurrences, symptoms and conversations are not partitioned and never expire."""

    model_config = SettingsConfigDict(
        env_prefix="MEDMIND_PARTITIONS_", env_file=".env", extra="ignore"
    )

    dedupe_days: int = Field(
        default=35,
        ge=1,
        description="How long a message id is remembered after the message's sent_at: longer "
        "than a device may hold an unacknowledged message and resend it.",
    )
    heartbeat_days: int = Field(
        default=90, ge=1, description="Health history: heartbeats kept this long."
    )
    dead_letter_days: int = Field(
        default=180, ge=1, description="Refused payloads kept this long for inspection."
    )
    expired: Expired = Field(
        default=Expired.DROP,
        description="drop: expired partitions are dropped; detach: left as plain tables to "
        "archive.",
    )
