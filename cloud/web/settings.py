"""Settings of the web app, read from `MEDMIND_WEB_*` environment variables or `.env`."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class WebSettings(BaseSettings):
    """How long a sign-in lasts and how often open pages look for news."""

    model_config = SettingsConfigDict(env_prefix="MEDMIND_WEB_", env_file=".env", extra="ignore")

    session_hours: float = Field(default=12.0, gt=0, le=24 * 30)
    live_poll_seconds: int = Field(
        default=3, ge=1, le=60, description="Open pages ask for new alerts this often."
    )
