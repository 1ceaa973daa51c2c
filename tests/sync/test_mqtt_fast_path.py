"""The cloud's MQTT client hands PUBLISH packets over exactly as sent, whichever way it parsed
them (its own fast path, or paho for packets split across reads), and `ack_many` acknowledges
them: a reconnecting persistent session gets nothing back."""

from __future__ import annotations

import threading

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from cloud.mqtt.client import READ_CHUNK_BYTES, BufferedReadClient, make_client, start_and_wait
from tests.support import services
from tests.sync.support import mqtt_settings, wait_until


class Receiver:
    """A manual-ack subscriber on `t/#` that records every PUBLISH it is handed."""

    def __init__(self, broker_url: str, protocol: str) -> None:
        self.settings = mqtt_settings(broker_url, protocol=protocol)
        self.received: list[tuple[str, int, int, bytes]] = []
        self.by_paho = 0
        self.subscribed = threading.Event()
        self.client: BufferedReadClient | None = None

    def start(self) -> BufferedReadClient:
        connected = threading.Event()
        client = make_client(self.settings, "fast-path-receiver", persistent=True, manual_ack=True)
        client.max_inflight_messages_set(1000)

        def on_connect(c: mqtt.Client, *_: object) -> None:
            c.subscribe("t/#", qos=1)
            connected.set()

        client.on_connect = on_connect
        client.on_subscribe = lambda *_: self.subscribed.set()
        client.on_message = self._on_message
        client.on_publish_packet = lambda *packet: self.received.append(packet)
        start_and_wait(client, self.settings, connected, persistent=True)
        wait_until(self.subscribed.is_set, 10, "the subscription")
        self.client = client
        return client

    def _on_message(self, client: mqtt.Client, userdata: object, m: mqtt.MQTTMessage) -> None:
        self.by_paho += 1
        self.received.append((m.topic, m.mid, m.qos, bytes(m.payload)))

    def stop(self) -> None:
        assert self.client is not None
        self.client.disconnect()
        self.client.loop_stop()
        self.subscribed.clear()


def _publish_all(
    broker: services.Mosquitto, protocol: str, messages: list[tuple[str, bytes]]
) -> None:
    v5 = protocol == "5"
    sender = mqtt.Client(
        CallbackAPIVersion.VERSION2,
        client_id="fast-path-sender",
        protocol=mqtt.MQTTv5 if v5 else mqtt.MQTTv311,
    )
    sender.max_inflight_messages_set(1000)
    sender.connect("127.0.0.1", broker.port)
    sender.loop_start()
    infos = []
    for index, (topic, payload) in enumerate(messages):
        properties = None
        if v5:
            # The broker forwards user properties: the PUBLISH then carries properties.
            properties = Properties(PacketTypes.PUBLISH)  # type: ignore[no-untyped-call]
            properties.UserProperty = ("n", str(index))
        infos.append(sender.publish(topic, payload, qos=1, properties=properties))
    for info in infos:
        info.wait_for_publish(30)
    sender.disconnect()
    sender.loop_stop()


@pytest.mark.parametrize("protocol", ["3.1.1", "5"])
def test_every_publish_arrives_intact_and_acked_ones_are_not_redelivered(
    broker: services.Mosquitto, protocol: str
) -> None:
    receiver = Receiver(broker.url, protocol)
    client = receiver.start()
    # Small and large payloads; one larger than a read, so it arrives over several reads.
    messages = [(f"t/{n % 7}/up", f"message {n} ".encode() * (1 + n % 40)) for n in range(600)]
    messages.insert(300, ("t/big", bytes(range(256)) * (READ_CHUNK_BYTES // 128)))
    _publish_all(broker, protocol, messages)
    wait_until(lambda: len(receiver.received) >= len(messages), 30, "every message")

    assert [(t, p) for t, _, _, p in receiver.received] == messages, "messages differ from sent"
    assert {qos for _, _, qos, _ in receiver.received} == {1}
    # The large message arrives over several reads: paho parses it, the client the others.
    assert 0 < receiver.by_paho < len(messages), f"{receiver.by_paho} parsed by paho"
    client.ack_many((mid, qos) for _, mid, qos, _ in receiver.received)
    # The broker handles a connection's packets in order: once it has acked this publish, it
    # has had the PUBACKs sent before it.
    client.publish("probe/after-acks", b"", qos=1).wait_for_publish(10)
    receiver.stop()

    receiver.received.clear()
    client = receiver.start()
    _publish_all(broker, protocol, [("t/marker", b"after the acks")])
    wait_until(lambda: bool(receiver.received), 30, "the marker message")
    receiver.stop()
    assert [p for _, _, _, p in receiver.received] == [b"after the acks"], (
        "messages acked with ack_many came back after reconnecting"
    )


def test_a_qos1_publish_without_room_for_its_packet_id_is_left_to_paho() -> None:
    client = BufferedReadClient(CallbackAPIVersion.VERSION2, "fast-path-unit", manual_ack=True)
    taken: list[tuple[str, int, int, bytes]] = []
    client.on_publish_packet = lambda *packet: taken.append(packet)
    good = bytes([0x32, 8, 0, 1]) + b"t" + bytes([0, 7]) + b"abc"  # QoS 1, id 7, "abc"
    short = bytes([0x32, 3, 0, 1]) + b"t"  # QoS 1, but the packet ends inside the topic's id
    client._read_buffer += good + short + b"trailing bytes of the stream"

    assert client._take_publishes() == 1
    assert taken == [("t", 7, 1, b"abc")]
    assert client._read_buffer.startswith(short), "the malformed packet was not left for paho"
