"""Typed settings of the cloud, read from `MEDMIND_*` environment variables or `.env`."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal, Self

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_JWT_SECRET = "medmind-development-secret-do-not-use-in-production"


def _default_pg_dir() -> Path:
    return Path.home() / ".local" / "share" / "medmind" / "pgdata"


class CloudSettings(BaseSettings):
    """Everything the cloud services need; one instance per process (see `get_settings`)."""

    model_config = SettingsConfigDict(env_prefix="MEDMIND_", env_file=".env", extra="ignore")

    environment: Literal["development", "test", "production"] = Field(
        default="production",
        description="Production unless told otherwise: only `development` runs with the "
        "built-in JWT secret and without the broker hooks' token.",
    )
    database_url: str | None = Field(
        default=None, description="PostgreSQL URL; unset starts the embedded PostgreSQL."
    )
    database_read_url: str | None = Field(
        default=None,
        description="A read replica (hot standby) of that database, read in read-only "
        "transactions for the figures that may trail by a moment: adherence on My patients "
        "(today's included) and in the patient page's chart, stored summaries and insights. "
        "Unset: the primary. Alerts, today's timeline, access checks and every write stay on "
        "the primary. While it cannot be reached, they are read from the primary.",
    )
    embedded_pg_dir: Path = Field(default_factory=_default_pg_dir)
    db_pool_size: int = Field(default=10, ge=1, le=200)
    db_echo: bool = False

    jwt_secret: SecretStr = SecretStr(DEFAULT_JWT_SECRET)
    jwt_algorithm: Literal["HS256", "HS384", "HS512"] = "HS256"
    access_token_minutes: int = Field(default=15, ge=1, le=24 * 60)
    refresh_token_days: int = Field(default=14, ge=1, le=365)
    login_rate_limit: int = Field(
        default=10, ge=1, description="Failed logins of one account before it is blocked."
    )
    login_address_limit: int = Field(
        default=100, ge=1, description="Failed logins from one address before it is blocked."
    )
    login_rate_window_s: int = Field(
        default=300, ge=1, description="A key quiet this long forgets its failures."
    )
    login_backoff_base_s: float = Field(default=30.0, gt=0, description="First block's length.")
    login_backoff_max_s: float = Field(default=3600.0, gt=0, description="Longest block.")
    password_min_length: int = Field(default=10, ge=8, le=128)
    password_min_score: int = Field(
        default=3, ge=0, le=4, description="Minimum zxcvbn strength score (0..4)."
    )
    password_reset_minutes: int = Field(default=30, ge=1, le=24 * 60)
    password_reset_account_limit: int = Field(
        default=3, ge=1, description="Reset emails one address may be sent per window."
    )
    password_reset_address_limit: int = Field(
        default=20, ge=1, description="Reset requests one client address may make per window."
    )
    password_reset_window_s: int = Field(
        default=3600, ge=1, description="How long a reset-request limit lasts."
    )
    invitation_days: int = Field(default=7, ge=1, le=90)
    public_url: str = Field(
        default="http://127.0.0.1:8000",
        description="Where people reach MedMind: the base of links in invitation and reset emails.",
    )
    user_cache_seconds: float = Field(
        default=10.0, ge=0, description="How long an active user is trusted without a reload."
    )

    mqtt_url: str | None = Field(default=None, description="Broker URL; unset: embedded broker.")
    api_host: str = "127.0.0.1"
    api_port: int = Field(default=8000, ge=1, le=65535)
    trusted_proxies: str = Field(
        default="127.0.0.1",
        description="Comma-separated addresses (or networks, or *) of the reverse proxies whose "
        "X-Forwarded-For names the client. The login and reset limits and the access log key on "
        "that client, so behind a proxy not listed here every user shares the proxy's address.",
    )
    vosk_model_path: Path | None = Field(
        default=None,
        description="Unpacked vosk model for WAV uploads; unset uses pocketsphinx's bundled model.",
    )
    max_voice_upload_bytes: int = Field(default=2_000_000, ge=1)

    @model_validator(mode="after")
    def _refuse_default_secret(self) -> Self:
        secret = self.jwt_secret.get_secret_value()
        if self.environment != "development" and secret == DEFAULT_JWT_SECRET:
            raise ValueError(
                "MEDMIND_JWT_SECRET must be set outside environment=development "
                "(the built-in default secret is public)"
            )
        if len(secret) < 32:
            raise ValueError("MEDMIND_JWT_SECRET must be at least 32 characters")
        return self


def require_production_secrets(settings: CloudSettings, hook_token: SecretStr | None) -> None:
    """Outside development the API needs its broker hooks' token too (the JWT secret is
    checked by the settings themselves): refuse to start without it."""
    if settings.environment != "development" and hook_token is None:
        raise ValueError(
            "MEDMIND_MQTT_HOOK_TOKEN must be set outside environment=development "
            "(set MEDMIND_ENVIRONMENT=development for a local, insecure run)"
        )


@lru_cache(maxsize=1)
def get_settings() -> CloudSettings:
    """The process-wide settings, read once from the environment."""
    return CloudSettings()
