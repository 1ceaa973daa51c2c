"""Argon2 password hashing for people and devices."""

from __future__ import annotations

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    """An argon2id hash of `password` (random salt, parameters in the hash)."""
    return _hasher.hash(password)


def verify_password(password: str, password_hash: str) -> bool:
    """Whether `password` matches `password_hash`; False for a malformed hash."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def new_secret(nbytes: int = 24) -> str:
    """A random URL-safe secret (device passwords, refresh token ids)."""
    return secrets.token_urlsafe(nbytes)


# Spent on unknown users so a login takes as long whether or not the email exists.
DUMMY_HASH = hash_password(new_secret())
