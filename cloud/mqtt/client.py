"""Construct and connect the cloud's paho clients (service account, persistent sessions)."""

from __future__ import annotations

import threading
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion, MQTTErrorCode
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from cloud.mqtt.settings import MqttSettings

SESSION_EXPIRY_S = 24 * 3600
READ_CHUNK_BYTES = 256 * 1024


class BufferedReadClient(mqtt.Client):
    """paho's client, reading the socket in large chunks.

    paho reads each packet with several small `recv` calls and one `select` per packet, which
    is most of an ingest worker's per-message cost at thousands of messages a second. This reads
    whatever the socket holds into a buffer, serves paho's reads from it, and keeps parsing while
    the buffer holds data. Besides `loop_read` it overrides two private methods of paho 2.2
    (pinned in constraints.txt): `_sock_recv` and `_sock_close`.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._read_buffer = bytearray()

    def _sock_recv(self, bufsize: int) -> bytes:
        if not self._read_buffer:
            data = super()._sock_recv(READ_CHUNK_BYTES)
            if not data:
                return b""  # the peer closed the connection
            self._read_buffer += data
        chunk = bytes(self._read_buffer[:bufsize])
        del self._read_buffer[:bufsize]
        return chunk

    def _sock_close(self) -> None:
        self._read_buffer.clear()
        super()._sock_close()

    def loop_read(self, max_packets: int = 1) -> MQTTErrorCode:
        """Read packets until the buffer is empty (the socket may not signal them again)."""
        rc = super().loop_read(max_packets)
        while rc is MQTTErrorCode.MQTT_ERR_SUCCESS and self._read_buffer and self._sock:
            rc = super().loop_read(max_packets)
        return rc


def make_client(
    settings: MqttSettings, client_id: str, *, persistent: bool, manual_ack: bool = False
) -> mqtt.Client:
    """A paho client (callback API 2) logged in as the service account."""
    v5 = settings.protocol == "5"
    client = BufferedReadClient(
        CallbackAPIVersion.VERSION2,
        client_id=client_id,
        clean_session=None if v5 else not persistent,
        protocol=mqtt.MQTTv5 if v5 else mqtt.MQTTv311,
        manual_ack=manual_ack,
    )
    password = settings.password.get_secret_value() if settings.password else None
    client.username_pw_set(settings.username, password)
    return client


def connect(client: mqtt.Client, settings: MqttSettings, *, persistent: bool) -> None:
    """Open the TCP connection and send CONNECT (the CONNACK arrives in the network loop)."""
    if settings.protocol == "5":
        properties = Properties(PacketTypes.CONNECT)  # type: ignore[no-untyped-call]
        properties.SessionExpiryInterval = SESSION_EXPIRY_S if persistent else 0
        client.connect(
            settings.host,
            settings.port,
            settings.keepalive_s,
            clean_start=not persistent,
            properties=properties,
        )
    else:
        client.connect(settings.host, settings.port, settings.keepalive_s)


def start_and_wait(
    client: mqtt.Client,
    settings: MqttSettings,
    connected: threading.Event,
    *,
    persistent: bool,
    timeout_s: float = 10.0,
) -> None:
    """Connect, start paho's network thread, and wait until the client's `on_connect` sets
    `connected` (it does so only for an accepted connection)."""
    connect(client, settings, persistent=persistent)
    client.loop_start()
    if not connected.wait(timeout_s):
        client.loop_stop()
        raise TimeoutError(
            f"broker {settings.url} did not accept {settings.username!r} within {timeout_s:.0f} s"
        )
