"""What a device may do on the broker: publish under its own `up/` and status, read its `down/`.

One rule for both brokers: the Mosquitto ACL file is written from `device_acl_lines`, and the
EMQX HTTP authorization hook answers with `device_may`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from shared.topics import device_prefix, status_topic


class Action(StrEnum):
    """What a client asks the broker to do with a topic."""

    PUBLISH = "publish"
    SUBSCRIBE = "subscribe"


def device_may(device_id: str, action: Action, topic: str) -> bool:
    """Whether `device_id` may publish to / subscribe to `topic` (a filter for subscribe).

    A filter that starts with the device's own literal prefix can only match its own topics,
    whatever wildcards follow; anything else (`#`, `+` in the device segment) is refused.
    """
    prefix = device_prefix(device_id)
    if topic == status_topic(device_id):
        return True
    if action is Action.PUBLISH:
        return topic.startswith(prefix + "up/") and not any(c in topic for c in "+#")
    return topic.startswith(prefix + "down/")


@dataclass(frozen=True)
class DeviceRules:
    """Topic filters a device may publish to and read from (for the broker's own ACLs)."""

    publish: tuple[str, ...]
    read: tuple[str, ...]


def device_rules(device_id: str) -> DeviceRules:
    """The filters equivalent to `device_may` for `device_id`."""
    prefix = device_prefix(device_id)
    status = status_topic(device_id)
    return DeviceRules(publish=(f"{prefix}up/#", status), read=(f"{prefix}down/#", status))


def device_acl_lines(username: str, device_id: str) -> list[str]:
    """Mosquitto ACL file lines giving `username` exactly what `device_may` allows."""
    rules = device_rules(device_id)
    writes = [f"topic write {topic}" for topic in rules.publish if topic not in rules.read]
    reads = [f"topic read {topic}" for topic in rules.read if topic not in rules.publish]
    both = [f"topic readwrite {topic}" for topic in rules.publish if topic in rules.read]
    return [f"user {username}", *writes, *both, *reads]
