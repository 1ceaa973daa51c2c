"""Bad input becomes a dead letter with its reason; valid traffic keeps flowing meanwhile."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from cloud.doses.models import DoseOccurrence
from cloud.ingest.models import DeadLetter
from shared.enums import DoseStatus
from shared.envelope import make_envelope
from shared.kinds import Kind
from shared.topics import up_topic
from tests.factories import make_dose_event
from tests.support.services import Mosquitto
from tests.sync.support import (
    device_fleet,
    fleet_dose_event,
    outboxes_empty,
    register_devices,
    running_worker,
    stored_facts,
    wait_until,
)


def _bad_payloads() -> list[tuple[str, bytes, str]]:
    """(topic, payload, words the dead letter's reason must contain)."""
    topic = up_topic("bad-1", Kind.DOSE_EVENT)
    valid = json.loads(make_envelope("bad-1", 1, make_dose_event()).to_json())
    wrong_type = dict(valid, message_id=str(uuid.uuid4()), seq="seven")
    wrong_kind = dict(valid, message_id=str(uuid.uuid4()), kind="teleport")
    down_kind = json.loads(make_envelope("bad-1", 2, make_dose_event()).to_json())
    down_kind["kind"] = "plan"
    other_device = make_envelope("good-1", 3, make_dose_event()).to_json()
    return [
        (topic, b'{"message_id": "not even json', "not UTF-8 JSON"),
        (topic, json.dumps(wrong_type).encode(), "seq"),
        (topic, json.dumps(wrong_kind).encode(), "unknown kind"),
        (topic, json.dumps(down_kind).encode(), "plan"),
        (topic, other_device, "differs from the sender"),
        (topic, b'{"pad": "' + b"x" * 1_048_576 + b'"}', "exceeds the limit"),
        (
            up_topic("bad-1", Kind.HEARTBEAT),
            make_envelope("bad-1", 4, make_dose_event()).to_json(),
            "arrived on topic",
        ),
    ]


def test_bad_messages_are_dead_lettered_while_valid_ones_are_stored(
    sessions: sessionmaker[Session], broker: Mosquitto, tmp_path: Path
) -> None:
    register_devices(sessions, ["bad-1", "good-1"])
    bad = _bad_payloads()
    with (
        running_worker(sessions, broker.url),
        device_fleet(tmp_path, ["good-1"], broker.url) as devices,
    ):
        good = devices[0]
        good.sync.start()
        attacker = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="bad-1")
        attacker.connect("127.0.0.1", broker.port)
        attacker.loop_start()
        for topic, payload, _ in bad:
            good.enqueue_dose_events(20)
            attacker.publish(topic, payload, qos=1).wait_for_publish(10)
        good.enqueue_dose_events(20)
        wait_until(lambda: outboxes_empty(devices), 60, "the valid device's outbox to empty")
        with sessions() as db:
            wait_until(
                lambda: len(db.scalars(select(DeadLetter)).all()) >= len(bad), 30, "dead letters"
            )
        attacker.disconnect()
        attacker.loop_stop()

    assert stored_facts(sessions) == (160, 160, 160)
    with sessions() as db:
        letters = {letter.raw: letter for letter in db.scalars(select(DeadLetter))}
    assert len(letters) == len(bad)
    for topic, payload, reason_words in bad:
        letter = letters[payload]  # the dead letter keeps the raw bytes
        assert letter.topic == topic
        assert reason_words in letter.reason, f"reason {letter.reason!r} lacks {reason_words!r}"


def test_a_dose_event_about_another_patients_dose_is_dead_lettered_and_acked(
    sessions: sessionmaker[Session], broker: Mosquitto, tmp_path: Path
) -> None:
    register_devices(sessions, ["mallory-1", "victim-1"])
    forged = fleet_dose_event("victim-1", 0, status=DoseStatus.SKIPPED)
    with (
        running_worker(sessions, broker.url),
        device_fleet(tmp_path, ["mallory-1"], broker.url) as devices,
    ):
        mallory = devices[0]
        mallory.sync.start()
        with mallory.store.transaction():
            mallory.store.enqueue(forged)
        mallory.enqueue_dose_events(1)
        wait_until(lambda: outboxes_empty(devices), 30, "both messages to be acked")

    assert stored_facts(sessions) == (1, 1, 1), "only the device's own dose is stored"
    with sessions() as db:
        assert db.get(DoseOccurrence, forged.occurrence_id) is None
        letter = db.scalars(select(DeadLetter)).one()
    assert "not a plan of this device's patient" in letter.reason
