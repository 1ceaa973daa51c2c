"""Construct and connect the cloud's paho clients (service account, persistent sessions)."""

from __future__ import annotations

import struct
import threading
from collections.abc import Callable, Iterable
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion, MQTTErrorCode
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from cloud.mqtt.settings import MqttSettings

SESSION_EXPIRY_S = 24 * 3600
READ_CHUNK_BYTES = 256 * 1024
PUBLISH = 0x30
PUBACK = 0x40

# (topic, packet id, QoS, payload) of one received PUBLISH.
PublishHandler = Callable[[str, int, int, bytes], None]


class BufferedReadClient(mqtt.Client):
    """paho's client, reading the socket in large chunks, with a fast path for PUBLISH.

    paho reads each packet with several small `recv` calls and one `select` per packet, which
    is most of an ingest worker's per-message cost at thousands of messages a second. This reads
    whatever the socket holds into a buffer, serves paho's reads from it, and keeps parsing while
    the buffer holds data.

    With `on_publish_packet` set (and manual acks, or QoS 0), complete QoS 0/1 PUBLISH packets
    at the head of the buffer are parsed here and handed over as (topic, packet id, QoS,
    payload), without paho's per-message objects, logging and callback matching. Anything else
    (other packets, QoS 2, a topic alias, a partly read packet) goes through paho as before.
    `ack_many` queues the PUBACKs of a whole batch as one write.

    Besides `loop_read` it relies on private parts of paho 2.2 (pinned in constraints.txt):
    `_sock_recv`, `_sock_close`, `_in_packet`, `_packet_queue`, `_msgtime_mutex` and
    `_last_bytes_received` (keep-alive).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._read_buffer = bytearray()
        self.on_publish_packet: PublishHandler | None = None

    def _sock_recv(self, bufsize: int) -> bytes:
        if not self._read_buffer:
            data = super()._sock_recv(READ_CHUNK_BYTES)
            if not data:
                return b""  # the peer closed the connection
            self._read_buffer += data
            # paho is between packets (asking for a command byte): take the PUBLISH packets
            # first; if that was everything, paho has nothing to read until the socket has more.
            if self._take_publishes() and not self._read_buffer:
                raise BlockingIOError
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
            if self._take_publishes() and not self._read_buffer:
                break
            rc = super().loop_read(max_packets)
        return rc

    def _take_publishes(self) -> int:
        """Hand complete PUBLISH packets at the head of the buffer to `on_publish_packet`;
        how many were taken (0 when paho is in the middle of a packet)."""
        handler = self.on_publish_packet
        if handler is None or self._in_packet["command"] != 0:
            return 0
        buffer, end, pos, taken = self._read_buffer, len(self._read_buffer), 0, 0
        v5 = self._protocol == mqtt.MQTTv5
        while pos < end:
            first = buffer[pos]
            qos = (first >> 1) & 3
            if first & 0xF0 != PUBLISH or qos == 2 or (qos == 1 and not self._manual_ack):
                break
            length, start = _varint(buffer, pos + 1, end)
            if length is None or start + length > end:
                break  # not all here yet, or malformed: paho reads (and judges) it
            packet_end = start + length
            topic_end = start + 2 + (buffer[start] << 8 | buffer[start + 1])
            if topic_end == start + 2 or topic_end > packet_end:
                break  # a topic alias (v5) or a malformed packet
            try:
                topic = buffer[start + 2 : topic_end].decode()
            except UnicodeDecodeError:
                break
            payload_start, mid = topic_end, 0
            if qos and topic_end + 2 > packet_end:
                break  # no room for the packet id: malformed, paho judges it
            if qos:
                mid = buffer[topic_end] << 8 | buffer[topic_end + 1]
                payload_start += 2
            if v5:
                properties, payload_start = _varint(buffer, payload_start, packet_end)
                if properties is None:
                    break
                payload_start += properties
            handler(topic, mid, qos, bytes(buffer[payload_start:packet_end]))
            pos, taken = packet_end, taken + 1
        if taken:
            del buffer[:pos]
            with self._msgtime_mutex:
                self._last_bytes_received = mqtt.time_func()
        return taken

    def ack_many(self, deliveries: Iterable[tuple[int, int]]) -> None:
        """Acknowledge (packet id, QoS) pairs in order, the QoS 1 ones in one write."""
        pubacks = bytearray()
        for mid, qos in deliveries:
            if qos == 1:
                pubacks += struct.pack("!BBH", PUBACK, 2, mid)
            elif qos == 2:
                if pubacks:
                    self._packet_queue(PUBACK, bytes(pubacks), 0, 0)
                    pubacks.clear()
                self.ack(mid, qos)
        if pubacks:
            self._packet_queue(PUBACK, bytes(pubacks), 0, 0)


def _varint(buffer: bytearray, pos: int, end: int) -> tuple[int | None, int]:
    """An MQTT variable byte integer at `pos`: (value, position after it); None if incomplete
    or longer than four bytes."""
    value, shift = 0, 0
    while pos < end and shift < 28:
        byte = buffer[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, pos
        shift += 7
    return None, pos


def make_client(
    settings: MqttSettings, client_id: str, *, persistent: bool, manual_ack: bool = False
) -> BufferedReadClient:
    """A paho client (callback API 2) logged in as the service account (over TLS for mqtts)."""
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
    if settings.tls:
        client.tls_set(ca_certs=None if settings.ca_file is None else str(settings.ca_file))
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
