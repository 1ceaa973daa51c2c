"""Login, tokens, rate limiting, the secret rule, and disabled users."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlalchemy.orm import Session

from cloud.app import create_app
from cloud.config import CloudSettings
from cloud.errors import AuthenticationError
from cloud.users.active_cache import ActiveUserCache
from cloud.users.models import User
from cloud.users.tokens import VerifiedTokens, issue_token
from shared.enums import Role
from tests.cloud.conftest import bearer
from tests.cloud.factories import DEFAULT_PASSWORD, CloudFactory
from tests.support.paths import REPO_ROOT


def _login(client: TestClient, email: str, password: str) -> tuple[int, dict[str, object]]:
    response = client.post("/api/v1/auth/login", data={"username": email, "password": password})
    return response.status_code, response.json()


def test_login_gives_tokens_that_work_and_refresh(
    client: TestClient, factory: CloudFactory
) -> None:
    user = factory.user(Role.DOCTOR)

    status, tokens = _login(client, user.email.upper(), DEFAULT_PASSWORD)
    me = client.get(
        "/api/v1/auth/me", headers={"Authorization": f"Bearer {tokens['access_token']}"}
    )
    refreshed = client.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})

    assert status == 200 and tokens["token_type"] == "bearer"
    assert me.json()["email"] == user.email and me.json()["role"] == "doctor"
    assert refreshed.status_code == 200 and refreshed.json()["access_token"]


def test_a_refresh_token_is_not_an_access_token(client: TestClient, factory: CloudFactory) -> None:
    user = factory.user()
    _, tokens = _login(client, user.email, DEFAULT_PASSWORD)

    response = client.get(
        "/api/v1/auth/me", headers={"Authorization": f"Bearer {tokens['refresh_token']}"}
    )

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_wrong_passwords_are_refused_then_rate_limited(
    client: TestClient, factory: CloudFactory, cloud_settings: CloudSettings
) -> None:
    user = factory.user()

    statuses = [
        _login(client, user.email, "wrong password")[0]
        for _ in range(cloud_settings.login_rate_limit)
    ]
    blocked, body = _login(client, user.email, DEFAULT_PASSWORD)

    assert statuses == [401] * cloud_settings.login_rate_limit
    assert blocked == 429 and "try again" in str(body["error"])


def test_a_disabled_user_is_refused(
    client: TestClient, db: Session, factory: CloudFactory, cloud_settings: CloudSettings
) -> None:
    user = factory.user()
    headers = bearer(cloud_settings, user)
    user.is_active = False
    db.commit()

    assert client.get("/api/v1/auth/me", headers=headers).status_code == 401
    assert _login(client, user.email, DEFAULT_PASSWORD)[0] == 403, "not told it is deactivated"


def test_the_default_secret_is_refused_outside_development() -> None:
    with pytest.raises(ValidationError, match="MEDMIND_JWT_SECRET"):
        CloudSettings(environment="production", database_url="postgresql://db/x")

    assert CloudSettings(environment="development").environment == "development"


def test_production_is_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MEDMIND_ENVIRONMENT", raising=False)
    monkeypatch.delenv("MEDMIND_JWT_SECRET", raising=False)

    with pytest.raises(ValidationError, match="MEDMIND_JWT_SECRET"):
        CloudSettings(_env_file=None)  # type: ignore[call-arg]
    assert CloudSettings(_env_file=None, jwt_secret="p" * 40).environment == "production"  # type: ignore[call-arg]


def test_outside_development_the_api_refuses_to_start_without_the_hook_token(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("MEDMIND_MQTT_HOOK_TOKEN", raising=False)
    settings = CloudSettings(
        environment="production", jwt_secret="p" * 40, database_url="postgresql://db/x"
    )

    with pytest.raises(ValueError, match="MEDMIND_MQTT_HOOK_TOKEN"):
        create_app(settings)


def test_serving_with_no_settings_at_all_refuses_to_start(tmp_path: Path) -> None:
    env = {name: value for name, value in os.environ.items() if not name.startswith("MEDMIND_")}
    env["PYTHONPATH"] = str(REPO_ROOT)
    served = subprocess.run(
        [sys.executable, "-c", "from shared.cli import main; main()", "cloud", "serve"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        timeout=120,
        check=False,
    )

    assert served.returncode != 0
    assert b"MEDMIND_JWT_SECRET must be set" in served.stderr


def test_cached_sessions_expire_and_are_forgotten_with_their_user() -> None:
    now = [0.0]
    cache = ActiveUserCache(ttl_s=10, clock=lambda: now[0])
    user = User(id=uuid.uuid4(), email="a@b.c", full_name="A", role=Role.ADMIN, password_hash="x")
    first, second = uuid.uuid4(), uuid.uuid4()

    cache.put(first, user)
    cache.put(second, user)
    fresh = cache.get(first)
    now[0] = 10.0
    expired = cache.get(first)
    now[0] = 0.0
    cache.forget_user(user.id)

    assert fresh is user and expired is None and cache.get(second) is None


def test_verified_tokens_are_served_from_cache_only_until_they_expire() -> None:
    settings = CloudSettings(environment="test", jwt_secret="t" * 40)
    rotated = CloudSettings(environment="test", jwt_secret="r" * 40)
    user_id = uuid.uuid4()
    issued = datetime.now(UTC)
    token = issue_token(
        settings, user_id, Role.CAREGIVER, "access", session_id=uuid.uuid4(), now=issued
    )
    expiry = (issued + timedelta(minutes=settings.access_token_minutes)).timestamp()
    now = [issued.timestamp()]
    tokens = VerifiedTokens(clock=lambda: now[0])

    first = tokens.read(settings, token, "access")
    # Until its expiry the token is not verified again: another secret does not matter.
    cached = tokens.read(rotated, token, "access")
    with pytest.raises(AuthenticationError, match="refresh token is required"):
        tokens.read(settings, token, "refresh")
    with pytest.raises(AuthenticationError, match="not valid"):
        tokens.read(settings, token[:-2] + ("AA" if token[-2:] != "AA" else "BB"), "access")
    now[0] = expiry
    # From its expiry on it is verified afresh, and fails under the other secret.
    with pytest.raises(AuthenticationError, match="not valid"):
        tokens.read(rotated, token, "access")

    assert first.user_id == user_id and cached == first
