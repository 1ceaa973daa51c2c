"""Settings of alert detection and escalation; read from `MEDMIND_ALERTS_*` or `.env`."""

from __future__ import annotations

from datetime import timedelta

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from cloud.escalation.policy import EscalationPolicy


class AlertSettings(BaseSettings):
    """Thresholds for raising alerts and the time each ladder step waits for an acknowledgement."""

    model_config = SettingsConfigDict(env_prefix="MEDMIND_ALERTS_", env_file=".env", extra="ignore")

    overdue_after_minutes: int = Field(default=15, ge=1, le=24 * 60)
    ack_timeout_minutes: int = Field(default=15, ge=1, le=7 * 24 * 60)
    critical_ack_timeout_minutes: int = Field(default=5, ge=1, le=7 * 24 * 60)
    device_offline_after_minutes: int = Field(default=30, ge=1, le=7 * 24 * 60)
    lookback_hours: int = Field(
        default=48, ge=1, le=24 * 31, description="How far back detectors look for open causes."
    )

    @property
    def overdue_after(self) -> timedelta:
        return timedelta(minutes=self.overdue_after_minutes)

    @property
    def device_offline_after(self) -> timedelta:
        return timedelta(minutes=self.device_offline_after_minutes)

    @property
    def policy(self) -> EscalationPolicy:
        return EscalationPolicy(
            ack_timeout=timedelta(minutes=self.ack_timeout_minutes),
            critical_ack_timeout=timedelta(minutes=self.critical_ack_timeout_minutes),
        )
