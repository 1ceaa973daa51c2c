"""Settings of notification delivery (SMTP server, webhook timeout, retry policy)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from cloud.notifications.backoff import RetryPolicy


class NotificationSettings(BaseSettings):
    """How notifications leave the cloud; read from `MEDMIND_NOTIFY_*` variables or `.env`."""

    model_config = SettingsConfigDict(env_prefix="MEDMIND_NOTIFY_", env_file=".env", extra="ignore")

    smtp_host: str = "127.0.0.1"
    smtp_port: int = Field(default=25, ge=1, le=65535)
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = False
    smtp_timeout_s: float = Field(default=10.0, gt=0)
    mail_from: str = "MedMind <alerts@medmind.local>"
    webhook_timeout_s: float = Field(default=5.0, gt=0)
    max_attempts: int = Field(default=6, ge=1, le=50)
    backoff_base_s: float = Field(default=30.0, gt=0)
    backoff_cap_s: float = Field(default=3600.0, gt=0)
    batch_size: int = Field(default=100, ge=1, le=10_000)

    @property
    def retry_policy(self) -> RetryPolicy:
        return RetryPolicy(
            max_attempts=self.max_attempts,
            base_delay_s=self.backoff_base_s,
            max_delay_s=self.backoff_cap_s,
        )
