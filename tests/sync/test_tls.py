"""MQTT over TLS: with the CA and server certificate `medmind cloud tls-certs` makes, the broker
serves TLS only, and a device and an ingest worker that trust the CA sync through it."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from cloud.cli import app
from tests.support.services import Mosquitto
from tests.sync.support import (
    device_fleet,
    outboxes_empty,
    register_devices,
    running_worker,
    stored_facts,
    wait_until,
)


def _tls_broker(mosquitto_factory: Callable[..., Mosquitto], certs: Path) -> Mosquitto:
    # The keys are private to whoever made them; `user root` keeps a broker started by root
    # from dropping to the mosquitto user, which could not read them.
    return mosquitto_factory(
        f"user root\ncafile {certs / 'ca.crt'}\n"
        f"certfile {certs / 'server.crt'}\nkeyfile {certs / 'server.key'}\n"
    )


def test_the_tls_certs_command_makes_a_ca_and_a_server_certificate(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["tls-certs", "--out", str(tmp_path), "--host", "broker.example.test"]
    )

    assert result.exit_code == 0, result.output
    for name in ("ca.crt", "ca.key", "server.crt", "server.key"):
        assert (tmp_path / name).exists(), name
    assert (tmp_path / "server.key").stat().st_mode & 0o077 == 0, "the key is private"


def test_a_device_and_the_ingest_worker_sync_over_tls(
    sessions: sessionmaker[Session],
    mosquitto_factory: Callable[..., Mosquitto],
    tmp_path: Path,
) -> None:
    certs = tmp_path / "tls"
    assert CliRunner().invoke(app, ["tls-certs", "--out", str(certs)]).exit_code == 0
    broker = _tls_broker(mosquitto_factory, certs)
    url = f"mqtts://127.0.0.1:{broker.port}"
    register_devices(sessions, ["tls-1"])

    with (
        running_worker(sessions, url, ca_file=certs / "ca.crt"),
        device_fleet(tmp_path, ["tls-1"], url, ca_file=certs / "ca.crt") as devices,
    ):
        devices[0].sync.start()
        devices[0].enqueue_dose_events(20)
        wait_until(lambda: outboxes_empty(devices), 60, "the device's outbox to be acked")

    assert stored_facts(sessions) == (20, 20, 20)


def test_the_tls_listener_refuses_a_plaintext_client(
    mosquitto_factory: Callable[..., Mosquitto], tmp_path: Path
) -> None:
    certs = tmp_path / "tls"
    assert CliRunner().invoke(app, ["tls-certs", "--out", str(certs)]).exit_code == 0
    broker = _tls_broker(mosquitto_factory, certs)
    answered = threading.Event()
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="plaintext")
    client.on_connect = lambda *args: answered.set()
    client.connect("127.0.0.1", broker.port)
    client.loop_start()
    try:
        assert not answered.wait(3), "the broker accepted MQTT without TLS"
    finally:
        client.loop_stop()
