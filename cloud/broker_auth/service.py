"""Broker credentials and permissions from the database, for Mosquitto files and EMQX hooks."""

from __future__ import annotations

import hmac
import json
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from cloud.broker_auth.accounts import BrokerAccount
from cloud.broker_auth.dynsec import dynamic_security_config
from cloud.broker_auth.passwords import mosquitto_hash, verify_mosquitto_hash
from cloud.broker_auth.rules import Action, device_acl_lines, device_may
from cloud.devices.models import Device, DeviceCredential
from cloud.mqtt.settings import MqttSettings
from shared.topics import TOPIC_ROOT


@dataclass(frozen=True)
class BrokerFiles:
    """Paths of the files written for Mosquitto: the devices' listener's password and ACL
    files, the cloud listener's, and the dynamic security plugin's configuration."""

    password_file: Path
    acl_file: Path
    service_password_file: Path
    service_acl_file: Path
    dynamic_security_file: Path
    accounts: int


class BrokerAuthService:
    """Answers who may log in to the broker and what each login may touch."""

    def __init__(self, db: Session, settings: MqttSettings) -> None:
        self.db = db
        self.settings = settings

    def device_accounts(self) -> list[BrokerAccount]:
        """Every device login that is not revoked and has a broker hash, by username."""
        return self._accounts()

    def _accounts(self, username: str | None = None) -> list[BrokerAccount]:
        query = (
            select(
                DeviceCredential.username, Device.device_id, DeviceCredential.broker_password_hash
            )
            .join(Device, Device.id == DeviceCredential.device_pk)
            .where(
                DeviceCredential.revoked_at.is_(None),
                DeviceCredential.broker_password_hash.is_not(None),
            )
            .order_by(DeviceCredential.username)
        )
        if username is not None:
            query = query.where(DeviceCredential.username == username)
        return [
            BrokerAccount(name, device_id, str(hashed))
            for name, device_id, hashed in self.db.execute(query).all()
        ]

    def _account(self, username: str) -> BrokerAccount | None:
        found = self._accounts(username)
        return found[0] if found else None

    def is_service_login(self, username: str, password: str) -> bool:
        """Whether this is the cloud workers' service account with its password."""
        secret = self.settings.password
        return (
            secret is not None
            and username == self.settings.username
            and hmac.compare_digest(password.encode(), secret.get_secret_value().encode())
        )

    def authenticate_device(self, username: str, password: str, client_id: str) -> bool:
        """A device may connect with its own credentials, and only as its own client id."""
        account = self._account(username)
        return (
            account is not None
            and client_id == account.device_id
            and verify_mosquitto_hash(password, account.password_hash)
        )

    def authorize(self, username: str, action: Action, topic: str) -> bool:
        """Whether `username` may publish/subscribe `topic` (the service account may do all)."""
        if username == self.settings.username and self.settings.password:
            return True
        account = self._account(username)
        return account is not None and device_may(account.device_id, action, topic)

    def write_mosquitto_files(self, out_dir: Path) -> BrokerFiles:
        """Write the Mosquitto files into `out_dir` (see `BrokerFiles` and docs/sync.md).

        ACL-file set-up: the devices' listener reads `passwords` + `acl` (devices only) with
        `use_username_as_clientid true`, and the cloud's own listener `service-passwords` +
        `service-acl` (the service account only). Dynamic security: `dynamic-security.json`
        holds both, each device bound to its own client id.
        """
        accounts = self.device_accounts()
        acl_lines: list[str] = []
        for account in accounts:
            acl_lines += [*device_acl_lines(account.username, account.device_id), ""]
        service_lines: list[str] = []
        service_acl: list[str] = []
        service_hash: str | None = None
        if self.settings.password is not None:
            name = self.settings.username
            service_hash = mosquitto_hash(self.settings.password.get_secret_value())
            service_lines.append(f"{name}:{service_hash}")
            service_acl += [f"user {name}", f"topic readwrite {TOPIC_ROOT}/#"]
        security = dynamic_security_config(accounts, self.settings.username, service_hash)
        out_dir.mkdir(parents=True, exist_ok=True)
        return BrokerFiles(
            password_file=_write_private(
                out_dir / "passwords", [f"{a.username}:{a.password_hash}" for a in accounts]
            ),
            acl_file=_write_private(out_dir / "acl", acl_lines),
            service_password_file=_write_private(out_dir / "service-passwords", service_lines),
            service_acl_file=_write_private(out_dir / "service-acl", service_acl),
            dynamic_security_file=_write_private(
                out_dir / "dynamic-security.json", [json.dumps(security, indent=2)]
            ),
            accounts=len(accounts),
        )


def _write_private(path: Path, lines: list[str]) -> Path:
    temporary = path.with_suffix(".tmp")
    temporary.write_text("".join(line + "\n" for line in lines))
    temporary.chmod(0o600)
    temporary.replace(path)
    return path
