"""Password-reset requests are limited per address asked for and per client address, in
PostgreSQL; the answer never changes, so the limit tells nobody who has an account, and asking
for resets never blocks a sign-in."""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi.testclient import TestClient

from cloud.config import CloudSettings
from tests.cloud.accounts_support import link_in, login
from tests.cloud.analytics.receivers import SmtpServer
from tests.cloud.factories import DEFAULT_PASSWORD, CloudFactory

RESET = "/api/v1/auth/password-reset"


def _ask(client: TestClient, email: str) -> tuple[int, bytes]:
    response = client.post(RESET, json={"email": email})
    return response.status_code, response.content


def test_an_address_is_sent_a_few_links_then_none_with_the_same_answer(
    client: TestClient, cloud_settings: CloudSettings, factory: CloudFactory, smtp: SmtpServer
) -> None:
    user = factory.user()
    limit = cloud_settings.password_reset_account_limit

    answers = {_ask(client, user.email) for _ in range(limit + 2)}
    unknown = _ask(client, "nobody@example.test")

    assert answers == {unknown}, "a limited request answered differently"
    assert [m["To"] for m in smtp.inbox.messages] == [user.email] * limit
    assert login(client, user.email, DEFAULT_PASSWORD).status_code == 200


def test_one_client_asking_for_many_addresses_is_stopped(
    client: TestClient, cloud_settings: CloudSettings, factory: CloudFactory, smtp: SmtpServer
) -> None:
    user = factory.user()
    for n in range(cloud_settings.password_reset_address_limit):
        _ask(client, f"guess{n}@example.test")

    answer = _ask(client, user.email)

    assert answer == _ask(client, "nobody@example.test")
    assert smtp.inbox.messages == [], "a client past its limit was still sent a link"
    assert login(client, user.email, DEFAULT_PASSWORD).status_code == 200


def test_the_reset_link_opens_the_web_apps_reset_page(
    client: TestClient, factory: CloudFactory, smtp: SmtpServer
) -> None:
    user = factory.user()

    _ask(client, user.email)

    assert urlsplit(link_in(smtp.inbox.messages[0])).path == "/app/password/reset"
