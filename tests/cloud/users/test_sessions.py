"""Sessions end when they should: refresh rotation with reuse detection, logout, password
changes and resets, deactivation (in this process at once, in another within its cache)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from cloud.app import create_app
from cloud.config import CloudSettings
from cloud.users.active_cache import ActiveUserCache
from cloud.users.schemas import EMAIL_PATTERN
from shared.enums import Role
from tests.cloud.accounts_support import auth, link_token, login, tokens
from tests.cloud.analytics.receivers import SmtpServer
from tests.cloud.conftest import bearer
from tests.cloud.factories import DEFAULT_PASSWORD, CloudFactory

NEW_PASSWORD = "velvet harbour tundra quince"


def _me(client: TestClient, pair: dict[str, str]) -> int:
    status: int = client.get("/api/v1/auth/me", headers=auth(pair)).status_code
    return status


def _refresh(client: TestClient, pair: dict[str, str]) -> tuple[int, dict[str, str]]:
    response = client.post("/api/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]})
    return response.status_code, response.json()


def test_a_refresh_token_works_once_and_its_reuse_ends_the_whole_session(
    client: TestClient, factory: CloudFactory
) -> None:
    user = factory.user()
    first = tokens(client, user.email, DEFAULT_PASSWORD)
    other_session = tokens(client, user.email, DEFAULT_PASSWORD)

    status, second = _refresh(client, first)
    reused, _ = _refresh(client, first)
    after_reuse, _ = _refresh(client, second)

    assert status == 200 and second["refresh_token"] != first["refresh_token"]
    assert reused == 401, "an exchanged refresh token was accepted again"
    assert after_reuse == 401, "the family of a reused token still refreshes"
    assert _me(client, second) == 401, "the family's access token still works"
    assert _me(client, other_session) == 200, "another session of the user was ended too"


def test_logout_ends_the_session_but_not_the_others(
    client: TestClient, factory: CloudFactory
) -> None:
    user = factory.user()
    phone = tokens(client, user.email, DEFAULT_PASSWORD)
    laptop = tokens(client, user.email, DEFAULT_PASSWORD)

    out = client.post("/api/v1/auth/logout", headers=auth(phone))

    assert out.status_code == 204
    assert _me(client, phone) == 401 and _refresh(client, phone)[0] == 401
    assert _me(client, laptop) == 200


def test_a_password_change_ends_the_other_sessions_and_keeps_this_one(
    client: TestClient, factory: CloudFactory
) -> None:
    user = factory.user()
    here = tokens(client, user.email, DEFAULT_PASSWORD)
    elsewhere = tokens(client, user.email, DEFAULT_PASSWORD)

    changed = client.post(
        "/api/v1/auth/password",
        json={"current_password": DEFAULT_PASSWORD, "new_password": NEW_PASSWORD},
        headers=auth(here),
    )

    assert changed.status_code == 204
    assert _me(client, here) == 200
    assert _me(client, elsewhere) == 401 and _refresh(client, elsewhere)[0] == 401
    assert login(client, user.email, NEW_PASSWORD).status_code == 200


def test_a_wrong_current_password_changes_nothing(
    client: TestClient, factory: CloudFactory
) -> None:
    user = factory.user()
    pair = tokens(client, user.email, DEFAULT_PASSWORD)

    refused = client.post(
        "/api/v1/auth/password",
        json={"current_password": "not my password", "new_password": NEW_PASSWORD},
        headers=auth(pair),
    )

    assert refused.status_code == 401
    assert login(client, user.email, DEFAULT_PASSWORD).status_code == 200


def test_a_reset_link_sets_a_new_password_once_and_ends_every_session(
    client: TestClient, factory: CloudFactory, smtp: SmtpServer
) -> None:
    user = factory.user()
    signed_in = tokens(client, user.email, DEFAULT_PASSWORD)

    asked = client.post("/api/v1/auth/password-reset", json={"email": user.email.upper()})
    [message] = smtp.inbox.messages
    token = link_token(message)
    reset = client.post(
        "/api/v1/auth/password-reset/confirm", json={"token": token, "new_password": NEW_PASSWORD}
    )
    again = client.post(
        "/api/v1/auth/password-reset/confirm",
        json={"token": token, "new_password": "another quite long phrase"},
    )

    assert asked.status_code == 202 and message["To"] == user.email
    assert reset.status_code == 204
    assert again.status_code == 422, "a reset link worked twice"
    assert _me(client, signed_in) == 401 and _refresh(client, signed_in)[0] == 401
    assert login(client, user.email, DEFAULT_PASSWORD).status_code == 401
    assert login(client, user.email, NEW_PASSWORD).status_code == 200


def test_a_reset_request_does_not_tell_whether_the_address_has_an_account(
    client: TestClient, factory: CloudFactory, smtp: SmtpServer
) -> None:
    user = factory.user()

    known = client.post("/api/v1/auth/password-reset", json={"email": user.email})
    unknown = client.post("/api/v1/auth/password-reset", json={"email": "nobody@example.test"})

    assert (known.status_code, known.content) == (unknown.status_code, unknown.content)
    assert [m["To"] for m in smtp.inbox.messages] == [user.email]


def test_an_expired_reset_link_is_refused(
    app: FastAPI, client: TestClient, factory: CloudFactory, smtp: SmtpServer
) -> None:
    user = factory.user()
    client.post("/api/v1/auth/password-reset", json={"email": user.email})
    token = link_token(smtp.inbox.messages[0])
    later = datetime.now(UTC) + timedelta(hours=2)
    app.state.clock = lambda: later

    refused = client.post(
        "/api/v1/auth/password-reset/confirm", json={"token": token, "new_password": NEW_PASSWORD}
    )

    assert refused.status_code == 422 and "expired" in refused.json()["error"]["message"]


@pytest.mark.parametrize(
    ("password", "advice"),
    [
        ("short1", "at least 10 characters"),
        ("0000000000", "too easy to guess"),
        ("password123!", "too easy to guess"),
    ],
)
def test_weak_passwords_are_refused_with_what_to_do(
    client: TestClient,
    factory: CloudFactory,
    cloud_settings: CloudSettings,
    password: str,
    advice: str,
) -> None:
    admin = factory.user(Role.ADMIN)

    response = client.post(
        "/api/v1/users",
        json={
            "email": "weak@example.test",
            "full_name": "W",
            "role": "caregiver",
            "password": password,
        },
        headers=bearer(cloud_settings, admin),
    )

    assert response.status_code == 422
    assert advice in response.json()["error"]["message"]


def test_a_deactivated_user_is_refused_at_once_here_and_within_the_cache_elsewhere(
    cloud_settings: CloudSettings, client: TestClient, factory: CloudFactory
) -> None:
    admin = factory.user(Role.ADMIN)
    user = factory.user()
    pair = tokens(client, user.email, DEFAULT_PASSWORD)
    # Another API process on the same database, trusting checked sessions for 60 s.
    now = [0.0]
    other = create_app(cloud_settings)
    other.state.user_cache = ActiveUserCache(ttl_s=60, clock=lambda: now[0])
    with TestClient(other) as elsewhere:
        assert _me(elsewhere, pair) == 200

        deactivated = client.post(
            f"/api/v1/users/{user.id}/deactivate", headers=bearer(cloud_settings, admin)
        )
        cached_elsewhere = _me(elsewhere, pair)
        now[0] = 60.0
        expired_elsewhere = _me(elsewhere, pair)
        refreshed_elsewhere = _refresh(elsewhere, pair)[0]
    other.state.engine.dispose()

    assert deactivated.status_code == 200 and deactivated.json()["is_active"] is False
    assert _me(client, pair) == 401, "the deactivating process still accepts the token"
    assert refreshed_elsewhere == 401, "the refresh token outlived the deactivation"
    assert cached_elsewhere == 200 and expired_elsewhere == 401
    assert cloud_settings.access_token_minutes * 60 > 60, "the cache outlives the token"
    assert login(client, user.email, DEFAULT_PASSWORD).status_code == 403


def test_a_deactivated_account_is_named_only_to_someone_with_its_password(
    client: TestClient, factory: CloudFactory, cloud_settings: CloudSettings
) -> None:
    user = factory.user()
    client.post(
        f"/api/v1/users/{user.id}/deactivate",
        headers=bearer(cloud_settings, factory.user(Role.ADMIN)),
    )

    guessed = login(client, user.email, "not the password")
    right = login(client, user.email, DEFAULT_PASSWORD)

    assert guessed.status_code == 401, "a wrong password told a stranger the account exists"
    assert right.status_code == 403
    assert right.json()["error"]["code"] == "account_deactivated"
    assert "administrator" in right.json()["error"]["message"]


def test_a_reactivated_user_signs_in_again(
    client: TestClient, factory: CloudFactory, cloud_settings: CloudSettings
) -> None:
    admin = bearer(cloud_settings, factory.user(Role.ADMIN))
    user = factory.user()
    client.post(f"/api/v1/users/{user.id}/deactivate", headers=admin)

    back = client.post(f"/api/v1/users/{user.id}/reactivate", headers=admin)

    assert back.json()["is_active"] is True
    assert login(client, user.email, DEFAULT_PASSWORD).status_code == 200


def test_admins_search_users_and_change_roles_but_not_their_own(
    client: TestClient, factory: CloudFactory, cloud_settings: CloudSettings
) -> None:
    admin = factory.user(Role.ADMIN)
    headers = bearer(cloud_settings, admin)
    user = factory.user(Role.CAREGIVER, email=f"zelda.{uuid.uuid4().hex[:6]}@example.test")
    pair = tokens(client, user.email, DEFAULT_PASSWORD)

    found = client.get("/api/v1/users", params={"q": "ZELDA", "active": True}, headers=headers)
    promoted = client.put(f"/api/v1/users/{user.id}/role", json={"role": "doctor"}, headers=headers)
    own = client.post(f"/api/v1/users/{admin.id}/deactivate", headers=headers)
    to_patient = client.put(
        f"/api/v1/users/{user.id}/role", json={"role": "patient"}, headers=headers
    )

    assert [u["email"] for u in found.json()["items"]] == [user.email]
    assert promoted.json()["role"] == "doctor"
    assert _me(client, pair) == 401, "a session kept its old role"
    assert own.status_code == 409 and to_patient.status_code == 409


@pytest.mark.parametrize("email", ["not-an-email", "carol at example.com", "carol@example.com\n"])
def test_an_address_that_is_not_one_is_refused_in_words_not_a_regular_expression(
    client: TestClient, email: str
) -> None:
    response = client.post("/api/v1/auth/password-reset", json={"email": email})

    assert response.status_code == 422
    assert response.json()["error"]["message"] == (
        "invalid request: body.email: Value should be an email address such as "
        "name@example.com, with no spaces"
    )
    schema = client.get("/openapi.json").json()["components"]["schemas"]
    assert schema["PasswordResetRequestIn"]["properties"]["email"]["pattern"] == EMAIL_PATTERN
