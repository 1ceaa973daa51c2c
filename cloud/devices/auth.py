"""Device authentication on the device REST endpoints: HTTP Basic with the provisioned secret.

Verified secrets are remembered in process (by a SHA-256 of username, hash and password) so a
device polling its schedule does not pay an argon2 verification on every call; a new secret
changes the stored hash and so misses the cache.
"""

from __future__ import annotations

import hashlib
import threading
from typing import Annotated

from fastapi import Depends, Path
from fastapi.security import HTTPBasic, HTTPBasicCredentials
from sqlalchemy import select

from cloud.deps import DbSession
from cloud.devices.models import Device, DeviceCredential
from cloud.errors import AuthenticationError, PermissionDeniedError
from cloud.users.passwords import verify_password

device_basic = HTTPBasic(auto_error=False, description="Device id and provisioned secret.")

_verified: set[str] = set()
_verified_lock = threading.Lock()
_CACHE_LIMIT = 10_000


def _fingerprint(username: str, password_hash: str, password: str) -> str:
    return hashlib.sha256(f"{username}\0{password_hash}\0{password}".encode()).hexdigest()


def _check(credential: DeviceCredential, password: str) -> bool:
    key = _fingerprint(credential.username, credential.password_hash, password)
    with _verified_lock:
        if key in _verified:
            return True
    if not verify_password(password, credential.password_hash):
        return False
    with _verified_lock:
        if len(_verified) >= _CACHE_LIMIT:
            _verified.clear()
        _verified.add(key)
    return True


def authenticated_device(
    device_id: Annotated[str, Path(description="The device's wire id.")],
    db: DbSession,
    credentials: Annotated[HTTPBasicCredentials | None, Depends(device_basic)],
) -> Device:
    """The device whose credentials were sent; they must be for the device in the path."""
    if credentials is None:
        raise AuthenticationError("device credentials required (HTTP Basic)")
    row = db.execute(
        select(DeviceCredential, Device)
        .join(Device, Device.id == DeviceCredential.device_pk)
        .where(DeviceCredential.username == credentials.username)
    ).first()
    if row is None or row[0].revoked_at is not None or not _check(row[0], credentials.password):
        raise AuthenticationError("wrong device credentials")
    device: Device = row[1]
    if device.device_id != device_id:
        raise PermissionDeniedError("these credentials belong to another device")
    return device


AuthenticatedDevice = Annotated[Device, Depends(authenticated_device)]
