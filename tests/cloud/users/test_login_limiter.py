"""The failed-login limiter: per account and per address, in PostgreSQL, with back-off; it
blocks a brute-force run on one account while others behind the same address sign in, across
two real API processes."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import text
from sqlalchemy.orm import Session

from cloud.config import CloudSettings
from cloud.users.login_limiter import LoginLimiter, LoginLimits
from firmware_sim.embedded_broker import free_port, wait_for_port
from tests.cloud.conftest import TEST_JWT_SECRET
from tests.cloud.factories import DEFAULT_PASSWORD, CloudFactory
from tests.support.paths import REPO_ROOT

ROOT = REPO_ROOT
LIMITS = LoginLimits(
    per_account=3, per_address=10, window_s=300, backoff_base_s=30, backoff_max_s=600
)
T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def test_an_account_is_blocked_with_growing_back_off_and_the_address_is_not(db: Session) -> None:
    limiter = LoginLimiter(db, LIMITS)
    target = LoginLimiter.keys("victim@example.test", "10.0.0.1")
    neighbour = LoginLimiter.keys("neighbour@example.test", "10.0.0.1")
    for _ in range(3):
        limiter.record_failure(target, T0)

    first_block = limiter.retry_after(target, T0)
    after_block = T0 + timedelta(seconds=31)
    unblocked = limiter.retry_after(target, after_block)
    limiter.record_failure(target, after_block)
    second_block = limiter.retry_after(target, after_block)

    assert first_block == 30
    assert limiter.retry_after(neighbour, T0) is None, "the address was blocked for everyone"
    assert unblocked is None and second_block == 60, "the back-off did not double"


def test_many_accounts_failing_from_one_address_block_the_address(db: Session) -> None:
    limiter = LoginLimiter(db, LIMITS)
    for n in range(10):
        limiter.record_failure(LoginLimiter.keys(f"guess{n}@example.test", "10.0.0.9"), T0)

    assert limiter.retry_after(LoginLimiter.keys("new@example.test", "10.0.0.9"), T0) == 30
    assert limiter.retry_after(LoginLimiter.keys("new@example.test", "10.0.0.8"), T0) is None


def test_keys_gone_quiet_are_forgotten_as_new_failures_come(db: Session) -> None:
    limiter = LoginLimiter(db, LIMITS)
    limiter.record_failure(LoginLimiter.keys("once@example.test", "10.0.0.2"), T0)

    limiter.record_failure(
        LoginLimiter.keys("later@example.test", "10.0.0.3"), T0 + timedelta(seconds=299)
    )
    kept = _keys(db)
    limiter.record_failure(
        LoginLimiter.keys("last@example.test", "10.0.0.4"), T0 + timedelta(seconds=301)
    )

    assert "email:once@example.test" in kept
    assert _keys(db) == {
        "email:last@example.test",
        "ip:10.0.0.4",
        "email:later@example.test",
        "ip:10.0.0.3",
    }


def _keys(db: Session) -> set[str]:
    return set(db.scalars(text("SELECT key FROM login_throttles")))


@contextlib.contextmanager
def _api_process(settings: CloudSettings) -> Iterator[str]:
    port = free_port()
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "MEDMIND_DATABASE_URL": settings.database_url or "",
        "MEDMIND_JWT_SECRET": TEST_JWT_SECRET,
        "MEDMIND_ENVIRONMENT": "development",
        "MEDMIND_LOGIN_RATE_LIMIT": "5",
        "MEDMIND_DB_POOL_SIZE": "2",
    }
    command = [sys.executable, "-m", "uvicorn", "cloud.app:create_app", "--factory"]
    process = subprocess.Popen(
        [*command, "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
        cwd=ROOT,
        env=env,
    )
    try:
        wait_for_port("127.0.0.1", port, timeout_s=60)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_brute_force_on_one_account_is_blocked_across_two_api_processes_while_a_neighbour_signs_in(
    cloud_settings: CloudSettings, factory: CloudFactory
) -> None:
    victim, neighbour = factory.user(), factory.user()
    with (
        _api_process(cloud_settings) as first,
        _api_process(cloud_settings) as second,
        httpx.Client() as http,
    ):
        statuses = [
            http.post(
                f"{(first, second)[n % 2]}/api/v1/auth/login",
                data={"username": victim.email, "password": f"guess {n}"},
            ).status_code
            for n in range(8)
        ]
        right_password_too_late = http.post(
            f"{second}/api/v1/auth/login",
            data={"username": victim.email, "password": DEFAULT_PASSWORD},
        )
        neighbour_logins = [
            http.post(
                f"{server}/api/v1/auth/login",
                data={"username": neighbour.email, "password": DEFAULT_PASSWORD},
            ).status_code
            for server in (first, second)
        ]

    assert statuses == [401] * 5 + [429] * 3, "the limit did not hold across both processes"
    assert right_password_too_late.status_code == 429
    assert "Retry-After" in right_password_too_late.headers
    assert neighbour_logins == [200, 200], "a neighbour behind the same address was locked out"
