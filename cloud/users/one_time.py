"""Single-use secrets sent by email (password resets, invitations): only their hash is stored."""

from __future__ import annotations

import hashlib
import secrets


def new_link_token() -> tuple[str, str]:
    """A fresh random token for a link, and the hash to store for it."""
    token = secrets.token_urlsafe(32)
    return token, token_hash(token)


def token_hash(token: str) -> str:
    """The SHA-256 of a token (a random 256-bit token needs no slow hash)."""
    return hashlib.sha256(token.encode()).hexdigest()
