"""Construct and connect the cloud's paho clients (service account, persistent sessions)."""

from __future__ import annotations

import threading

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from cloud.mqtt.settings import MqttSettings

SESSION_EXPIRY_S = 24 * 3600


def make_client(
    settings: MqttSettings, client_id: str, *, persistent: bool, manual_ack: bool = False
) -> mqtt.Client:
    """A paho client (callback API 2) logged in as the service account."""
    v5 = settings.protocol == "5"
    client = mqtt.Client(
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
