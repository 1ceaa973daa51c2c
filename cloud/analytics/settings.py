"""Thresholds of the insights and the refill forecast; read from `MEDMIND_ANALYTICS_*` or `.env`."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class AnalyticsSettings(BaseSettings):
    """What counts as a pattern worth telling a caregiver or doctor about."""

    model_config = SettingsConfigDict(
        env_prefix="MEDMIND_ANALYTICS_", env_file=".env", extra="ignore"
    )

    adherence_drop_points: float = Field(default=20.0, gt=0, le=100)
    slot_trouble_days: int = Field(default=4, ge=1, le=7)
    repeated_symptom_count: int = Field(default=3, ge=2, le=100)
    new_medication_days: int = Field(
        default=14, ge=1, le=90, description="A medication started this soon before counts."
    )
    offline_gap_minutes: int = Field(default=30, ge=1, le=24 * 60)
    offline_periods: int = Field(default=2, ge=1, le=100)
    default_low_stock_days: int = Field(default=7, ge=0, le=365)
    stale_scan_days: int = Field(
        default=30, ge=1, le=366, description="How far back late-arriving facts are looked for."
    )
