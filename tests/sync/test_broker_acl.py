"""Mosquitto with the password and ACL files generated from the database: each device only
reaches its own topics; the cloud's service account reaches all of them."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.reasoncodes import ReasonCode
from sqlalchemy.orm import Session, sessionmaker

from cloud.broker_auth.passwords import mosquitto_hash, verify_mosquitto_hash
from cloud.broker_auth.service import BrokerAuthService
from tests.support.services import Mosquitto
from tests.sync.support import (
    SERVICE_PASSWORD,
    SERVICE_USER,
    Recorder,
    mqtt_settings,
    register_devices,
    wait_until,
)

PASSWORDS = {"pi-alice": "alice-secret", "pi-bob": "bob-secret"}


DYNSEC_PLUGIN = Path("/usr/lib/x86_64-linux-gnu/mosquitto_dynamic_security.so")
SecuredBroker = Callable[[str], Mosquitto]


@pytest.fixture
def start_secured(
    sessions: sessionmaker[Session],
    mosquitto_factory: Callable[..., Mosquitto],
    tmp_path: Path,
) -> SecuredBroker:
    """Start Mosquitto secured by the generated password + ACL files ("acl-file") or by the
    dynamic security plugin's generated configuration ("dynamic-security")."""
    register_devices(sessions, list(PASSWORDS), passwords=PASSWORDS)
    with sessions() as db:
        files = BrokerAuthService(db, mqtt_settings("mqtt://unused")).write_mosquitto_files(
            tmp_path / "auth"
        )

    def start(mode: str) -> Mosquitto:
        if mode == "acl-file":
            security = f"password_file {files.password_file}\nacl_file {files.acl_file}\n"
        else:
            if not DYNSEC_PLUGIN.exists():
                pytest.skip("the Mosquitto dynamic security plugin is not installed")
            security = (
                f"plugin {DYNSEC_PLUGIN}\nplugin_opt_config_file {files.dynamic_security_file}\n"
            )
        # The files are private (0600) to whoever wrote them; `user root` keeps a broker
        # started by root from dropping to the mosquitto user, which could not read them.
        return mosquitto_factory(f"user root\nallow_anonymous false\n{security}")

    return start


@pytest.fixture(params=["acl-file", "dynamic-security"])
def secured_broker(request: pytest.FixtureRequest, start_secured: SecuredBroker) -> Mosquitto:
    """Each test runs against both ways of securing Mosquitto."""
    return start_secured(request.param)


class Login:
    """A connected client and what the broker answered."""

    def __init__(self, broker: Mosquitto, username: str, password: str, client_id: str) -> None:
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=client_id)
        self.client.username_pw_set(username, password)
        self.connack: ReasonCode | None = None
        self.granted: list[ReasonCode] = []
        self._answered = threading.Event()
        self._subscribed = threading.Event()
        self.client.on_connect = self._on_connect
        self.client.on_subscribe = self._on_subscribe
        self.client.connect("127.0.0.1", broker.port)
        self.client.loop_start()
        assert self._answered.wait(10), "no CONNACK"

    def _on_connect(self, c: mqtt.Client, u: object, f: object, rc: ReasonCode, p: object) -> None:
        self.connack = rc
        self._answered.set()

    def _on_subscribe(
        self, c: mqtt.Client, u: object, mid: int, codes: list[ReasonCode], p: object
    ) -> None:
        self.granted = codes
        self._subscribed.set()

    def subscribe(self, topic_filter: str) -> ReasonCode:
        self._subscribed.clear()
        self.client.subscribe(topic_filter, qos=1)
        assert self._subscribed.wait(10), "no SUBACK"
        return self.granted[0]

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


@pytest.fixture
def logins(secured_broker: Mosquitto) -> Iterator[Callable[[str, str, str], Login]]:
    opened: list[Login] = []

    def login(username: str, password: str, client_id: str = "") -> Login:
        opened.append(Login(secured_broker, username, password, client_id or username))
        return opened[-1]

    yield login
    for item in opened:
        item.close()


def test_generated_hash_is_what_mosquitto_passwd_writes() -> None:
    hashed = mosquitto_hash("s3cret")
    assert hashed.startswith("$7$101$")
    assert verify_mosquitto_hash("s3cret", hashed)
    assert not verify_mosquitto_hash("wrong", hashed)


def test_a_device_logs_in_with_its_own_password_only(
    logins: Callable[..., Login],
) -> None:
    assert not logins("pi-alice", "alice-secret").connack.is_failure  # type: ignore[union-attr]
    assert logins("pi-alice", "bob-secret").connack.is_failure  # type: ignore[union-attr]
    assert logins("stranger", "whatever").connack.is_failure  # type: ignore[union-attr]


def test_a_device_cannot_publish_on_another_devices_topic(
    secured_broker: Mosquitto, logins: Callable[..., Login]
) -> None:
    cloud = Recorder(
        secured_broker.url, "medmind/v1/devices/#", username=SERVICE_USER, password=SERVICE_PASSWORD
    )
    alice = logins("pi-alice", "alice-secret")
    alice.client.publish(
        "medmind/v1/devices/pi-bob/up/dose_event", b"forged", qos=1
    ).wait_for_publish(5)
    alice.client.publish("medmind/v1/devices/pi-bob/down/plan", b"forged", qos=1).wait_for_publish(
        5
    )
    alice.client.publish(
        "medmind/v1/devices/pi-alice/up/heartbeat", b"own", qos=1
    ).wait_for_publish(5)
    wait_until(lambda: len(cloud.messages) >= 1, 10, "alice's own message to reach the cloud")
    cloud.close()

    assert cloud.messages == [("medmind/v1/devices/pi-alice/up/heartbeat", b"own")]


def test_a_device_subscribed_to_everything_receives_only_its_own_messages(
    secured_broker: Mosquitto, logins: Callable[..., Login]
) -> None:
    # Mosquitto's ACL file accepts the SUBSCRIBE and refuses delivery of every message the
    # device may not read; the dynamic security plugin (and the EMQX hook) refuse the SUBSCRIBE.
    alice = logins("pi-alice", "alice-secret")
    received: list[str] = []
    alice.client.on_message = lambda c, u, message: received.append(message.topic)
    alice.subscribe("#")
    alice.subscribe("medmind/v1/devices/pi-bob/down/#")
    alice.subscribe("medmind/v1/devices/pi-alice/down/#")
    cloud = logins(SERVICE_USER, SERVICE_PASSWORD, "medmind-cloud-test")
    for topic in (
        "medmind/v1/devices/pi-bob/down/plan",
        "medmind/v1/devices/pi-bob/up/dose_event",
        "medmind/v1/devices/pi-alice/down/ack",
    ):
        cloud.client.publish(topic, b"x", qos=1).wait_for_publish(5)
    wait_until(lambda: "medmind/v1/devices/pi-alice/down/ack" in received, 10, "alice's own ack")
    cloud.client.publish("medmind/v1/devices/pi-alice/down/command", b"x", qos=1).wait_for_publish(
        5
    )
    wait_until(lambda: len(received) >= 2, 10, "alice's own command")

    assert sorted(set(received)) == [
        "medmind/v1/devices/pi-alice/down/ack",
        "medmind/v1/devices/pi-alice/down/command",
    ]


def test_the_dynamic_security_plugin_refuses_a_subscription_outside_the_devices_topics(
    start_secured: SecuredBroker,
) -> None:
    broker = start_secured("dynamic-security")
    alice = Login(broker, "pi-alice", "alice-secret", "pi-alice")

    assert alice.subscribe("#").is_failure
    assert alice.subscribe("medmind/v1/devices/+/down/#").is_failure
    assert alice.subscribe("medmind/v1/devices/pi-bob/down/#").is_failure
    assert not alice.subscribe("medmind/v1/devices/pi-alice/down/#").is_failure
    alice.close()


def test_the_service_account_may_share_the_ingest_subscription(
    logins: Callable[..., Login],
) -> None:
    service = logins(SERVICE_USER, SERVICE_PASSWORD, "medmind-ingest-test")

    assert not service.subscribe("$share/ingest/medmind/v1/devices/+/up/#").is_failure
