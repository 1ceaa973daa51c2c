"""The EMQX HTTP hooks answer from the database: devices only below their own prefix."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from cloud.app import create_app
from cloud.broker_auth.router import HOOK_TOKEN_HEADER
from cloud.config import CloudSettings
from tests.sync.support import SERVICE_PASSWORD, SERVICE_USER, register_devices

HOOK_TOKEN = "emqx-hook-token-for-tests"


@pytest.fixture
def api(
    sync_db_url: str, sessions: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> Iterator[TestClient]:
    monkeypatch.setenv("MEDMIND_MQTT_USERNAME", SERVICE_USER)
    monkeypatch.setenv("MEDMIND_MQTT_PASSWORD", SERVICE_PASSWORD)
    monkeypatch.setenv("MEDMIND_MQTT_HOOK_TOKEN", HOOK_TOKEN)
    register_devices(sessions, ["pi-alice", "pi-bob"], passwords={"pi-alice": "alice-secret"})
    settings = CloudSettings(environment="test", database_url=sync_db_url, jwt_secret="k" * 40)
    with TestClient(create_app(settings)) as client:
        yield client


def _auth(api: TestClient, username: str, password: str, clientid: str) -> dict[str, object]:
    body = {"username": username, "password": password, "clientid": clientid}
    response = api.post("/api/v1/mqtt/auth", json=body, headers={HOOK_TOKEN_HEADER: HOOK_TOKEN})
    assert response.status_code == 200, response.text
    return dict(response.json())


def _acl(api: TestClient, username: str, action: str, topic: str) -> str:
    body = {"username": username, "clientid": username, "topic": topic, "action": action}
    response = api.post("/api/v1/mqtt/acl", json=body, headers={HOOK_TOKEN_HEADER: HOOK_TOKEN})
    assert response.status_code == 200, response.text
    return str(response.json()["result"])


def test_a_device_connects_with_its_secret_as_its_own_client_id(api: TestClient) -> None:
    assert _auth(api, "pi-alice", "alice-secret", "pi-alice")["result"] == "allow"
    assert _auth(api, "pi-alice", "wrong", "pi-alice")["result"] == "deny"
    assert _auth(api, "pi-alice", "alice-secret", "pi-bob")["result"] == "deny"
    assert _auth(api, "pi-bob", "", "pi-bob")["result"] == "deny", "no broker secret was made"


def test_the_service_account_is_a_superuser(api: TestClient) -> None:
    assert _auth(api, SERVICE_USER, SERVICE_PASSWORD, "medmind-ingest-1") == {
        "result": "allow",
        "is_superuser": True,
    }
    assert _auth(api, SERVICE_USER, "guess", "medmind-ingest-1")["result"] == "deny"


def test_a_device_publishes_and_subscribes_only_below_its_own_prefix(api: TestClient) -> None:
    own = "medmind/v1/devices/pi-alice"
    assert _acl(api, "pi-alice", "publish", f"{own}/up/dose_event") == "allow"
    assert _acl(api, "pi-alice", "publish", f"{own}/status") == "allow"
    assert _acl(api, "pi-alice", "subscribe", f"{own}/down/#") == "allow"
    assert _acl(api, "pi-alice", "publish", f"{own}/down/plan") == "deny"
    assert _acl(api, "pi-alice", "publish", "medmind/v1/devices/pi-bob/up/dose_event") == "deny"
    assert _acl(api, "pi-alice", "subscribe", "#") == "deny"
    assert _acl(api, "pi-alice", "subscribe", "medmind/v1/devices/+/down/#") == "deny"
    assert _acl(api, "stranger", "publish", f"{own}/up/dose_event") == "deny"


def test_a_device_cannot_take_over_a_cloud_client_or_join_the_shared_subscription(
    api: TestClient,
) -> None:
    for client_id in ("medmind-ingest-w1", "medmind-plans-1", "pi-bob"):
        assert _auth(api, "pi-alice", "alice-secret", client_id)["result"] == "deny", client_id
    for topic in (
        "$share/ingest/medmind/v1/devices/+/up/#",
        "$share/ingest/medmind/v1/devices/pi-alice/down/#",
        "$SYS/#",
        "medmind/v1/devices/pi-bob/down/#",
        "medmind/v1/#",
    ):
        assert _acl(api, "pi-alice", "subscribe", topic) == "deny", topic


@pytest.mark.parametrize("headers", [{}, {HOOK_TOKEN_HEADER: "guess"}], ids=["none", "wrong"])
def test_only_the_broker_may_ask_the_hooks(api: TestClient, headers: dict[str, str]) -> None:
    # Otherwise anyone reaching the API could try device secrets here without a rate limit.
    body = {"username": "pi-alice", "password": "alice-secret", "clientid": "pi-alice"}
    response = api.post("/api/v1/mqtt/auth", json=body, headers=headers)
    assert response.status_code == 401, response.text
    assert "allow" not in response.text
    acl = {"username": "pi-alice", "clientid": "pi-alice", "topic": "#", "action": "subscribe"}
    assert api.post("/api/v1/mqtt/acl", json=acl, headers=headers).status_code == 401


def test_without_a_configured_token_the_hooks_refuse_even_in_development(
    sync_db_url: str, sessions: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MEDMIND_MQTT_HOOK_TOKEN", raising=False)
    register_devices(sessions, ["pi-alice"], passwords={"pi-alice": "alice-secret"})
    settings = CloudSettings(
        environment="development", database_url=sync_db_url, jwt_secret="k" * 40
    )
    body = {"username": "pi-alice", "password": "alice-secret", "clientid": "pi-alice"}
    with TestClient(create_app(settings)) as client:
        response = client.post("/api/v1/mqtt/auth", json=body)
    assert response.status_code == 403, response.text
    assert "allow" not in response.text
