"""`medmind cloud serve` behind a reverse proxy: the limits and the access log key on the client
the proxy names only when the proxy is trusted."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator

import httpx
from sqlalchemy import text
from sqlalchemy.orm import Session

from cloud.config import CloudSettings
from firmware_sim.embedded_broker import free_port, wait_for_port
from tests.cloud.conftest import TEST_JWT_SECRET
from tests.cloud.factories import CloudFactory
from tests.support.paths import REPO_ROOT


@contextlib.contextmanager
def _served(settings: CloudSettings, trusted_proxies: str) -> Iterator[str]:
    port = free_port()
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO_ROOT),
        "MEDMIND_DATABASE_URL": settings.database_url or "",
        "MEDMIND_JWT_SECRET": TEST_JWT_SECRET,
        "MEDMIND_ENVIRONMENT": "development",
        "MEDMIND_DB_POOL_SIZE": "2",
        "MEDMIND_TRUSTED_PROXIES": trusted_proxies,
    }
    command = [sys.executable, "-c", "from shared.cli import main; main()", "cloud", "serve"]
    process = subprocess.Popen(
        [*command, "--no-migrate", "--host", "127.0.0.1", "--port", str(port)],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port("127.0.0.1", port, timeout_s=60)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=30)


def _failed_login_through_proxy(server: str, email: str, client: str) -> None:
    response = httpx.post(
        f"{server}/api/v1/auth/login",
        data={"username": email, "password": "not the password"},
        headers={"X-Forwarded-For": client},
    )
    assert response.status_code == 401, response.text


def _address_keys(db: Session) -> set[str]:
    return set(db.scalars(text("SELECT key FROM login_throttles WHERE key LIKE 'ip:%'")))


def test_a_trusted_proxy_names_the_client_the_limiter_counts(
    cloud_settings: CloudSettings, factory: CloudFactory, db: Session
) -> None:
    user = factory.user()
    with _served(cloud_settings, trusted_proxies="127.0.0.1") as server:
        _failed_login_through_proxy(server, user.email, "198.51.100.7")

    assert _address_keys(db) == {"ip:198.51.100.7"}, "the proxy's client was not counted"


def test_an_untrusted_proxy_cannot_choose_the_address_it_is_counted_under(
    cloud_settings: CloudSettings, factory: CloudFactory, db: Session
) -> None:
    user = factory.user()
    with _served(cloud_settings, trusted_proxies="192.0.2.1") as server:
        _failed_login_through_proxy(server, user.email, "198.51.100.8")

    assert _address_keys(db) == {"ip:127.0.0.1"}, "a forged X-Forwarded-For was believed"
