"""How often each job runs in the long-running scheduler; read from `MEDMIND_JOBS_*` or `.env`."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from cloud.doses.expansion import HORIZON_DAYS


class JobsSettings(BaseSettings):
    """Intervals in seconds. Summaries run often, but only patients whose day ended get a row."""

    model_config = SettingsConfigDict(env_prefix="MEDMIND_JOBS_", env_file=".env", extra="ignore")

    horizon_every_s: float = Field(default=3600.0, gt=0)
    horizon_days: int = Field(
        default=HORIZON_DAYS,
        ge=1,
        le=366,
        description="Local days ahead every current plan is expanded.",
    )
    escalations_every_s: float = Field(default=60.0, gt=0)
    deliveries_every_s: float = Field(default=10.0, gt=0)
    summaries_every_s: float = Field(default=900.0, gt=0)
    insights_every_s: float = Field(default=3600.0, gt=0)
    partitions_every_s: float = Field(default=3600.0, gt=0)
    access_log_months_ahead: int = Field(
        default=3, ge=1, le=24, description="Months of access-log partitions made ahead."
    )
    days_back: int = Field(
        default=2, ge=1, le=14, description="Local days before today the scheduler catches up."
    )
