"""The Mosquitto dynamic security plugin's configuration (`dynamic-security.json`).

Unlike the ACL file, the plugin refuses a SUBSCRIBE outside what a client may read (SUBACK
failure, `$share/...` included) instead of silently delivering nothing, and binds each device's
login to its own client id. Its password entries are the parts of the same
`$7$` PBKDF2-SHA512 hash the password file holds.
"""

from __future__ import annotations

from typing import Any

from cloud.broker_auth.accounts import BrokerAccount
from cloud.broker_auth.rules import device_rules
from shared.topics import TOPIC_ROOT

SERVICE_ROLE = "medmind-cloud"


def _client(
    username: str, mosquitto_hash: str, role: str, client_id: str | None = None
) -> dict[str, Any]:
    iterations, salt, digest = mosquitto_hash.removeprefix("$7$").split("$")
    client: dict[str, Any] = {
        "username": username,
        "password": digest,
        "salt": salt,
        "iterations": int(iterations),
        "roles": [{"rolename": role}],
    }
    if client_id is not None:
        # The plugin then refuses this login under any other client id.
        client["clientid"] = client_id
    return client


def _acl(acltype: str, topic: str) -> dict[str, Any]:
    return {"acltype": acltype, "topic": topic, "allow": True}


def dynamic_security_config(
    accounts: list[BrokerAccount], service_username: str, service_hash: str | None
) -> dict[str, Any]:
    """Clients, one role per device, and deny-by-default access for everything else."""
    clients: list[dict[str, Any]] = []
    roles: list[dict[str, Any]] = []
    if service_hash is not None:
        everything = f"{TOPIC_ROOT}/#"
        clients.append(_client(service_username, service_hash, SERVICE_ROLE))
        roles.append(
            {
                "rolename": SERVICE_ROLE,
                "acls": [
                    _acl("publishClientSend", everything),
                    _acl("publishClientReceive", everything),
                    _acl("subscribePattern", everything),
                    # The plugin checks a shared subscription with its `$share/<group>/` prefix.
                    _acl("subscribePattern", f"$share/+/{everything}"),
                ],
            }
        )
    for account in accounts:
        role = f"device-{account.device_id}"
        clients.append(_client(account.username, account.password_hash, role, account.device_id))
        rules = device_rules(account.device_id)
        roles.append(
            {
                "rolename": role,
                "acls": [
                    *(_acl("publishClientSend", topic) for topic in rules.publish),
                    *(_acl("publishClientReceive", topic) for topic in rules.read),
                    *(_acl("subscribePattern", topic) for topic in rules.read),
                ],
            }
        )
    return {
        "clients": clients,
        "roles": roles,
        "groups": [],
        "defaultACLAccess": {
            "publishClientSend": False,
            "publishClientReceive": False,
            "subscribe": False,
            "unsubscribe": True,
        },
    }
