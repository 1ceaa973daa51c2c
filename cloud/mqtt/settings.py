"""Settings of the cloud's MQTT side (`MEDMIND_MQTT_*`): broker, service account, sharing,
the token of the EMQX hooks."""

from __future__ import annotations

from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class MqttSettings(BaseSettings):
    """How the ingest workers and the plan publisher reach the broker."""

    model_config = SettingsConfigDict(env_prefix="MEDMIND_MQTT_", env_file=".env", extra="ignore")

    url: str = Field(default="mqtt://127.0.0.1:1883", description="mqtt://host:port")
    username: str = Field(default="medmind-cloud", description="The cloud's service account.")
    password: SecretStr | None = None
    protocol: Literal["3.1.1", "5"] = "3.1.1"
    keepalive_s: int = Field(default=30, ge=5, le=3600)
    shared_group: str = Field(default="ingest", pattern=r"^[A-Za-z0-9_-]+$")
    hook_token: SecretStr | None = Field(
        default=None,
        description="Shared secret EMQX sends in the X-MedMind-Hook-Token header of its "
        "authentication and authorization hook requests. Without it the hooks answer only in "
        "environment=development.",
    )
    shared_subscription: bool = Field(
        default=True,
        description="Subscribe through $share/<group>/ (Mosquitto, EMQX). The embedded amqtt "
        "broker has no shared subscriptions: set false and run a single worker.",
    )

    @property
    def host(self) -> str:
        return urlsplit(self.url).hostname or "127.0.0.1"

    @property
    def port(self) -> int:
        return urlsplit(self.url).port or 1883
