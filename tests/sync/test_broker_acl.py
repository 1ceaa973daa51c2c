"""Mosquitto with the files generated from the database, in both documented set-ups (ACL files
on a devices' listener plus a cloud-only listener, or the dynamic security plugin): each device
reaches only its own topics under its own client id, takes over no other client's session, and
cannot join the ingest workers' shared subscription; the cloud's service account reaches all."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.reasoncodes import ReasonCode
from sqlalchemy.orm import Session, sessionmaker

from cloud.broker_auth.passwords import mosquitto_hash, verify_mosquitto_hash
from cloud.broker_auth.service import BrokerAuthService
from cloud.db.seed import DemoSeeder
from firmware_sim.embedded_broker import free_port
from shared.envelope import make_envelope
from shared.kinds import Kind
from shared.topics import up_topic
from tests.support.services import Mosquitto
from tests.sync.support import (
    SERVICE_PASSWORD,
    SERVICE_USER,
    Recorder,
    fleet_dose_event,
    mqtt_settings,
    register_devices,
    running_worker,
    stored_facts,
    wait_until,
)

PASSWORDS = {"pi-alice": "alice-secret", "pi-bob": "bob-secret"}
MESSAGE_SIZE_LIMIT = 65_536

DYNSEC_PLUGIN = Path("/usr/lib/x86_64-linux-gnu/mosquitto_dynamic_security.so")


@dataclass(frozen=True)
class Secured:
    """A secured broker: the port devices use and the port the cloud's clients use."""

    mode: str
    broker: Mosquitto
    cloud_port: int

    @property
    def device_port(self) -> int:
        return self.broker.port

    @property
    def cloud_url(self) -> str:
        return f"mqtt://127.0.0.1:{self.cloud_port}"


SecuredBroker = Callable[[str], Secured]


@pytest.fixture
def start_secured(
    sessions: sessionmaker[Session],
    mosquitto_factory: Callable[..., Mosquitto],
    tmp_path: Path,
) -> SecuredBroker:
    """Start Mosquitto secured as docs/sync.md says: "acl-file" (the devices' listener with the
    generated password + ACL files and `use_username_as_clientid`, and a second listener for the
    cloud's service account only) or "dynamic-security" (one listener, the plugin's file)."""
    register_devices(sessions, list(PASSWORDS), passwords=PASSWORDS)
    with sessions() as db:
        files = BrokerAuthService(db, mqtt_settings("mqtt://unused")).write_mosquitto_files(
            tmp_path / "auth"
        )

    def start(mode: str) -> Secured:
        # The files are private (0600) to whoever wrote them; `user root` keeps a broker
        # started by root from dropping to the mosquitto user, which could not read them.
        common = f"user root\nmessage_size_limit {MESSAGE_SIZE_LIMIT}\n"
        if mode == "acl-file":
            cloud_port = free_port()
            broker = mosquitto_factory(
                f"{common}per_listener_settings true\n"
                "allow_anonymous false\nuse_username_as_clientid true\n"
                f"password_file {files.password_file}\nacl_file {files.acl_file}\n"
                f"listener {cloud_port} 127.0.0.1\nallow_anonymous false\n"
                f"password_file {files.service_password_file}\n"
                f"acl_file {files.service_acl_file}\n"
            )
            return Secured(mode, broker, cloud_port)
        if not DYNSEC_PLUGIN.exists():
            pytest.skip("the Mosquitto dynamic security plugin is not installed")
        broker = mosquitto_factory(
            f"{common}allow_anonymous false\nplugin {DYNSEC_PLUGIN}\n"
            f"plugin_opt_config_file {files.dynamic_security_file}\n"
        )
        return Secured(mode, broker, broker.port)

    return start


@pytest.fixture(params=["acl-file", "dynamic-security"])
def secured_broker(request: pytest.FixtureRequest, start_secured: SecuredBroker) -> Secured:
    """Each test runs against both ways of securing Mosquitto."""
    return start_secured(request.param)


class Login:
    """A connected client and what the broker answered."""

    def __init__(self, port: int, username: str, password: str, client_id: str) -> None:
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=client_id)
        self.client.username_pw_set(username, password)
        self.connack: ReasonCode | None = None
        self.granted: list[ReasonCode] = []
        self.disconnected = threading.Event()
        self._answered = threading.Event()
        self._subscribed = threading.Event()
        self.client.on_connect = self._on_connect
        self.client.on_subscribe = self._on_subscribe
        self.client.on_disconnect = lambda *args: self.disconnected.set()
        self.client.connect("127.0.0.1", port)
        self.client.loop_start()
        assert self._answered.wait(10), "no CONNACK"

    def _on_connect(self, c: mqtt.Client, u: object, f: object, rc: ReasonCode, p: object) -> None:
        self.connack = rc
        self._answered.set()

    @property
    def accepted(self) -> bool:
        return self.connack is not None and not self.connack.is_failure

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
def logins(secured_broker: Secured) -> Iterator[Callable[..., Login]]:
    """Log in on the devices' port (`cloud=True`: the cloud's port)."""
    opened: list[Login] = []

    def login(username: str, password: str, client_id: str = "", *, cloud: bool = False) -> Login:
        port = secured_broker.cloud_port if cloud else secured_broker.device_port
        opened.append(Login(port, username, password, client_id or username))
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
    assert logins("pi-alice", "alice-secret").accepted
    assert not logins("pi-alice", "bob-secret").accepted
    assert not logins("stranger", "whatever").accepted


def test_a_device_cannot_publish_on_another_devices_topic(
    secured_broker: Secured, logins: Callable[..., Login]
) -> None:
    cloud = Recorder(
        secured_broker.cloud_url,
        "medmind/v1/devices/#",
        username=SERVICE_USER,
        password=SERVICE_PASSWORD,
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
    logins: Callable[..., Login],
) -> None:
    # Mosquitto's ACL file accepts the SUBSCRIBE and refuses delivery of every message the
    # device may not read; the dynamic security plugin (and the EMQX hook) refuse the SUBSCRIBE.
    alice = logins("pi-alice", "alice-secret")
    received: list[str] = []
    alice.client.on_message = lambda c, u, message: received.append(message.topic)
    alice.subscribe("#")
    alice.subscribe("medmind/v1/devices/pi-bob/down/#")
    alice.subscribe("medmind/v1/devices/pi-alice/down/#")
    cloud = logins(SERVICE_USER, SERVICE_PASSWORD, "medmind-cloud-test", cloud=True)
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
    secured = start_secured("dynamic-security")
    alice = Login(secured.device_port, "pi-alice", "alice-secret", "pi-alice")

    assert alice.subscribe("#").is_failure
    assert alice.subscribe("medmind/v1/devices/+/down/#").is_failure
    assert alice.subscribe("medmind/v1/devices/pi-bob/down/#").is_failure
    assert alice.subscribe("$share/ingest/medmind/v1/devices/+/up/#").is_failure
    assert not alice.subscribe("medmind/v1/devices/pi-alice/down/#").is_failure
    alice.close()


def test_the_service_account_may_share_the_ingest_subscription(
    logins: Callable[..., Login],
) -> None:
    service = logins(SERVICE_USER, SERVICE_PASSWORD, "medmind-ingest-test", cloud=True)

    assert not service.subscribe("$share/ingest/medmind/v1/devices/+/up/#").is_failure


def test_the_service_account_cannot_log_in_where_devices_do_with_acl_files(
    start_secured: SecuredBroker,
) -> None:
    # Its own listener is where the cloud's clients pick their client ids freely.
    secured = start_secured("acl-file")
    service = Login(secured.device_port, SERVICE_USER, SERVICE_PASSWORD, "medmind-x")
    device = Login(secured.cloud_port, "pi-alice", "alice-secret", "pi-alice")

    assert not service.accepted and not device.accepted
    service.close()
    device.close()


def test_a_device_cannot_take_over_another_devices_session(
    logins: Callable[..., Login],
) -> None:
    bob = logins("pi-bob", "bob-secret")
    assert bob.accepted

    intruder = logins("pi-alice", "alice-secret", "pi-bob")

    # With ACL files the broker names the intruder's session after its username (pi-alice);
    # the dynamic security plugin refuses the login. Either way bob keeps his connection.
    assert not bob.disconnected.wait(2), "alice's login under bob's client id kicked bob off"
    if intruder.accepted:
        intruder.client.publish(
            "medmind/v1/devices/pi-alice/status", b"{}", qos=1
        ).wait_for_publish(5)
        assert not bob.disconnected.is_set()


def _dose_events(device_id: str, count: int) -> list[bytes]:
    return [
        make_envelope(device_id, n, fleet_dose_event(device_id, n)).to_json() for n in range(count)
    ]


def test_a_device_can_neither_take_over_nor_share_the_ingest_workers_session(
    sessions: sessionmaker[Session], secured_broker: Secured, logins: Callable[..., Login]
) -> None:
    settings = mqtt_settings(secured_broker.cloud_url)
    worker_id = settings.client_id("ingest", "w1")
    assert worker_id not in {
        "medmind-ingest-w1",
        mqtt_settings(secured_broker.cloud_url, password="x").client_id("ingest", "w1"),
    }
    with running_worker(sessions, secured_broker.cloud_url, "w1"):
        for client_id in ("medmind-ingest-w1", worker_id):
            logins("pi-alice", "alice-secret", client_id)
        thief = logins("pi-alice", "alice-secret")
        stolen: list[str] = []
        thief.client.on_message = lambda c, u, message: stolen.append(message.topic)
        # The workers' group is keyed by the service password, so a device cannot name it;
        # with ACL files Mosquitto grants the SUBSCRIBE, but to a group of the device's own.
        for group in ("ingest", "medmind", "ingest-workers"):
            granted = thief.subscribe(f"$share/{group}/medmind/v1/devices/+/up/#")
            if secured_broker.mode == "dynamic-security":
                assert granted.is_failure
        bob = logins("pi-bob", "bob-secret")
        for payload in _dose_events("pi-bob", 20):
            bob.client.publish(up_topic("pi-bob", Kind.DOSE_EVENT), payload, qos=1)
        wait_until(lambda: stored_facts(sessions)[0] == 20, 30, "every dose event to be stored")

    assert stolen == []


def test_an_oversized_payload_dies_at_the_broker(
    secured_broker: Secured, logins: Callable[..., Login]
) -> None:
    cloud = Recorder(
        secured_broker.cloud_url,
        "medmind/v1/devices/+/up/#",
        username=SERVICE_USER,
        password=SERVICE_PASSWORD,
    )
    alice = logins("pi-alice", "alice-secret")
    topic = "medmind/v1/devices/pi-alice/up/heartbeat"
    alice.client.publish(topic, b"x" * (MESSAGE_SIZE_LIMIT + 1), qos=1)
    alice.client.publish(topic, b"small", qos=1).wait_for_publish(5)
    wait_until(lambda: len(cloud.messages) >= 1, 10, "the small message")
    cloud.close()

    assert cloud.messages == [(topic, b"small")]


def test_seeded_devices_log_in_with_the_secrets_the_seed_prints(
    sessions: sessionmaker[Session],
    mosquitto_factory: Callable[..., Mosquitto],
    tmp_path: Path,
) -> None:
    with sessions() as db:
        report = DemoSeeder(db, now=datetime.now(UTC)).run()
        files = BrokerAuthService(db, mqtt_settings("mqtt://unused")).write_mosquitto_files(
            tmp_path / "auth"
        )
    broker = mosquitto_factory(
        "user root\nallow_anonymous false\nuse_username_as_clientid true\n"
        f"password_file {files.password_file}\nacl_file {files.acl_file}\n"
    )

    for device_id, secret in report.devices:
        login = Login(broker.port, device_id, secret, device_id)
        assert login.accepted, f"the broker refused seeded device {device_id}"
        login.close()
