"""Mosquitto-compatible password hashes (`$7$`: PBKDF2-SHA512, as `mosquitto_passwd` writes).

Format: `$7$<iterations>$<base64 salt>$<base64 hash>`. Mosquitto 2 reads it from its password
file; the cloud verifies with the same function, so one stored hash serves both.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

ITERATIONS = 101
SALT_BYTES = 12
_PREFIX = "$7$"


def _derive(password: str, salt: bytes, iterations: int) -> bytes:
    return hashlib.pbkdf2_hmac("sha512", password.encode(), salt, iterations)


def mosquitto_hash(password: str, *, iterations: int = ITERATIONS) -> str:
    """Hash `password` the way `mosquitto_passwd` does (fresh random salt)."""
    salt = secrets.token_bytes(SALT_BYTES)
    digest = _derive(password, salt, iterations)
    return (
        f"{_PREFIX}{iterations}${base64.b64encode(salt).decode()}"
        f"${base64.b64encode(digest).decode()}"
    )


def verify_mosquitto_hash(password: str, stored: str) -> bool:
    """Whether `password` matches a `$7$` hash (False for any other or malformed form)."""
    if not stored.startswith(_PREFIX):
        return False
    try:
        iterations_text, salt_text, digest_text = stored[len(_PREFIX) :].split("$")
        salt = base64.b64decode(salt_text, validate=True)
        expected = base64.b64decode(digest_text, validate=True)
        iterations = int(iterations_text)
    except ValueError:
        return False
    return hmac.compare_digest(_derive(password, salt, iterations), expected)
