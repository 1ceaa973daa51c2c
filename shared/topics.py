"""Topic names: `medmind/v1/devices/{device_id}/{up|down}/{kind}` and `.../status`."""

from __future__ import annotations

import re
from dataclasses import dataclass

from shared.kinds import Direction, Kind

TOPIC_ROOT = "medmind/v1/devices"
DEVICE_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$"
_DEVICE_ID = re.compile(DEVICE_ID_PATTERN)


class TopicError(ValueError):
    """A topic that is not a MedMind topic, or names an unknown kind or a bad device id."""


def validate_device_id(device_id: str) -> str:
    """Return the device id if it is a legal topic segment, else raise TopicError."""
    if not _DEVICE_ID.match(device_id):
        raise TopicError(
            f"device id {device_id!r} must be 1-64 characters of letters, digits, '-' or '_'"
        )
    return device_id


def device_prefix(device_id: str) -> str:
    """Everything a device may touch lives below this prefix (the broker ACL uses it)."""
    return f"{TOPIC_ROOT}/{validate_device_id(device_id)}/"


def up_topic(device_id: str, kind: Kind) -> str:
    """Topic on which `device_id` publishes messages of `kind`."""
    if kind.direction is not Direction.UP:
        raise TopicError(f"kind {kind.value!r} travels down, not up")
    return f"{device_prefix(device_id)}up/{kind.value}"


def down_topic(device_id: str, kind: Kind) -> str:
    """Topic on which the cloud sends messages of `kind` to `device_id`."""
    if kind.direction is not Direction.DOWN:
        raise TopicError(f"kind {kind.value!r} travels up, not down")
    return f"{device_prefix(device_id)}down/{kind.value}"


def status_topic(device_id: str) -> str:
    """Retained presence topic of a device (its Last Will clears it to offline)."""
    return f"{device_prefix(device_id)}status"


def up_wildcard(device_id: str = "+") -> str:
    """Subscription filter for up messages of one device, or of all with the default."""
    return f"{TOPIC_ROOT}/{device_id}/up/#"


def down_wildcard(device_id: str) -> str:
    """Subscription filter a device uses for everything sent down to it."""
    return f"{device_prefix(device_id)}down/#"


def status_wildcard() -> str:
    """Subscription filter for every device's presence."""
    return f"{TOPIC_ROOT}/+/status"


def shared_subscription(group: str, topic_filter: str) -> str:
    """`$share/{group}/{filter}`: brokers split the matching messages across the group."""
    return f"$share/{group}/{topic_filter}"


@dataclass(frozen=True)
class ParsedTopic:
    """A MedMind topic taken apart. `kind` is None for the status topic."""

    device_id: str
    direction: Direction | None
    kind: Kind | None

    @property
    def is_status(self) -> bool:
        return self.kind is None


def parse_topic(topic: str) -> ParsedTopic:
    """Split a topic into device id, direction and kind; raise TopicError if it is not ours."""
    prefix = TOPIC_ROOT + "/"
    if not topic.startswith(prefix):
        raise TopicError(f"topic {topic!r} is not under {TOPIC_ROOT}/")
    parts = topic[len(prefix) :].split("/")
    if len(parts) == 2 and parts[1] == "status":
        return ParsedTopic(validate_device_id(parts[0]), None, None)
    if len(parts) != 3:
        raise TopicError(f"topic {topic!r} must be {TOPIC_ROOT}/<device>/<up|down>/<kind>")
    device_id, direction_text, kind_text = parts
    try:
        direction = Direction(direction_text)
    except ValueError:
        raise TopicError(f"topic {topic!r}: direction must be 'up' or 'down'") from None
    try:
        kind = Kind(kind_text)
    except ValueError:
        raise TopicError(f"topic {topic!r}: unknown kind {kind_text!r}") from None
    if kind.direction is not direction:
        raise TopicError(f"topic {topic!r}: kind {kind.value!r} does not travel {direction.value}")
    return ParsedTopic(validate_device_id(device_id), direction, kind)
