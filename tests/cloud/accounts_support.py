"""Helpers of the account tests: sign in over HTTP, read the link (and its token) out of an
email."""

from __future__ import annotations

import re
from email.message import Message
from typing import Any

from fastapi.testclient import TestClient

_TOKEN = re.compile(r"token=([A-Za-z0-9_-]+)")
_LINK = re.compile(r"https?://\S+")


def login(client: TestClient, email: str, password: str) -> Any:
    """The response of a password login."""
    return client.post("/api/v1/auth/login", data={"username": email, "password": password})


def tokens(client: TestClient, email: str, password: str) -> dict[str, str]:
    """A fresh session's token pair (the login must succeed)."""
    response = login(client, email, password)
    assert response.status_code == 200, response.text
    pair: dict[str, str] = response.json()
    return pair


def auth(pair: dict[str, str]) -> dict[str, str]:
    """Authorization headers of a token pair's access token."""
    return {"Authorization": f"Bearer {pair['access_token']}"}


def link_token(message: Message) -> str:
    """The token of the one link in an account email."""
    payload = message.get_payload(decode=True)
    assert isinstance(payload, bytes)
    found = _TOKEN.search(payload.decode())
    assert found, "the email carries no link with a token"
    return found.group(1)


def link_in(message: Message) -> str:
    """The one link of an account email."""
    payload = message.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return link_of(payload.decode())


def link_of(text: str) -> str:
    """The one link in an account email's text."""
    found = _LINK.search(text)
    assert found, "the email carries no link"
    return found.group(0)
