"""A device's broker account, as the password, ACL and dynamic-security files list it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class BrokerAccount:
    """A device's broker login: username, the device it acts for, its `$7$` hash."""

    username: str
    device_id: str
    password_hash: str
