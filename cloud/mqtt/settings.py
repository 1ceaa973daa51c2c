"""Settings of the cloud's MQTT side (`MEDMIND_MQTT_*`): broker, service account, sharing,
the token of the EMQX hooks."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class MqttSettings(BaseSettings):
    """How the ingest workers and the plan publisher reach the broker."""

    model_config = SettingsConfigDict(env_prefix="MEDMIND_MQTT_", env_file=".env", extra="ignore")

    url: str = Field(
        default="mqtt://127.0.0.1:1883",
        description="mqtt://host:port, or mqtts://host:port for TLS (port 8883 by default).",
    )
    ca_file: Path | None = Field(
        default=None,
        description="CA certificate(s) to trust for mqtts:// (e.g. the ca.crt of "
        "`medmind cloud tls-certs`); unset: the system's trusted CAs.",
    )
    username: str = Field(default="medmind-cloud", description="The cloud's service account.")
    password: SecretStr | None = None
    protocol: Literal["3.1.1", "5"] = "3.1.1"
    keepalive_s: int = Field(default=30, ge=5, le=3600)
    shared_group: str | None = Field(
        default=None,
        pattern=r"^[A-Za-z0-9_-]+$",
        description="The ingest workers' shared subscription group. Unset: derived from the "
        "service password, so no device can guess it and join the group (a broker with an ACL "
        'file cannot refuse a device\'s `$share/` SUBSCRIBE); "ingest" without a password.',
    )
    hook_token: SecretStr | None = Field(
        default=None,
        description="Shared secret EMQX sends in the X-MedMind-Hook-Token header of its "
        "authentication and authorization hook requests. Without it the hooks refuse "
        "everything, and the API starts only in environment=development.",
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
    def group(self) -> str:
        """The shared subscription group the ingest workers join."""
        if self.shared_group is not None:
            return self.shared_group
        if self.password is None:
            return "ingest"
        return f"ingest-{self._keyed('shared-group')}"

    def client_id(self, role: str, stable_name: str | None = None) -> str:
        """An unguessable client id for one of the cloud's clients, so no client that knows
        the naming can take its session over: keyed by the service password when it must stay
        the same across restarts (`stable_name`, a persistent session), random otherwise."""
        if stable_name is None:
            return f"medmind-{role}-{secrets.token_hex(8)}"
        return f"medmind-{role}-{stable_name}-{self._keyed(f'{role}/{stable_name}')}"

    def _keyed(self, purpose: str) -> str:
        key = b"" if self.password is None else self.password.get_secret_value().encode()
        return hmac.new(key, f"medmind/{purpose}".encode(), hashlib.sha256).hexdigest()[:16]

    @property
    def tls(self) -> bool:
        return urlsplit(self.url).scheme == "mqtts"

    @property
    def port(self) -> int:
        return urlsplit(self.url).port or (8883 if self.tls else 1883)
