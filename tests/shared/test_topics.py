"""Topic builders and parsers."""

from __future__ import annotations

import pytest

from shared.kinds import DOWN_KINDS, UP_KINDS, Direction, Kind
from shared.topics import (
    TopicError,
    device_prefix,
    down_topic,
    parse_topic,
    shared_subscription,
    status_topic,
    up_topic,
    up_wildcard,
)


@pytest.mark.parametrize("kind", UP_KINDS)
def test_up_topics_round_trip(kind: Kind) -> None:
    topic = up_topic("pi-0042", kind)
    assert topic == f"medmind/v1/devices/pi-0042/up/{kind.value}"
    parsed = parse_topic(topic)
    assert (parsed.device_id, parsed.direction, parsed.kind) == ("pi-0042", Direction.UP, kind)


@pytest.mark.parametrize("kind", DOWN_KINDS)
def test_down_topics_round_trip(kind: Kind) -> None:
    parsed = parse_topic(down_topic("pi-0042", kind))
    assert (parsed.direction, parsed.kind) == (Direction.DOWN, kind)


def test_status_topic_parses_as_presence() -> None:
    parsed = parse_topic(status_topic("pi-1"))
    assert parsed.is_status and parsed.device_id == "pi-1"


def test_kinds_only_travel_their_own_direction() -> None:
    with pytest.raises(TopicError, match="travels down"):
        up_topic("pi-1", Kind.PLAN)
    with pytest.raises(TopicError, match="travels up"):
        down_topic("pi-1", Kind.DOSE_EVENT)
    with pytest.raises(TopicError, match="does not travel up"):
        parse_topic("medmind/v1/devices/pi-1/up/plan")


@pytest.mark.parametrize(
    ("topic", "reason"),
    [
        ("other/v1/devices/pi-1/up/heartbeat", "is not under"),
        ("medmind/v1/devices/pi-1/up", "must be"),
        ("medmind/v1/devices/pi-1/sideways/heartbeat", "direction"),
        ("medmind/v1/devices/pi-1/up/teleport", "unknown kind"),
        ("medmind/v1/devices/+/up/heartbeat", "device id"),
        ("medmind/v1/devices/#/status", "device id"),
    ],
)
def test_foreign_topics_are_refused(topic: str, reason: str) -> None:
    with pytest.raises(TopicError, match=reason):
        parse_topic(topic)


def test_device_ids_cannot_smuggle_wildcards_or_levels() -> None:
    for bad in ["", "a/b", "+", "#", "x" * 65, "sp ace"]:
        with pytest.raises(TopicError):
            device_prefix(bad)


def test_shared_subscription_wraps_the_filter() -> None:
    assert shared_subscription("ingest", up_wildcard()) == "$share/ingest/medmind/v1/devices/+/up/#"
