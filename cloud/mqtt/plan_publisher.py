"""Plan push: the full plan snapshot, retained, QoS 1, on the device's `down/plan`.

Retained, so a device that is offline now finds the newest plan when it next subscribes; the
envelope's seq is the plan version. Registered as the plans service's `PlanPublisher` hook by
`plan_publishing` for the API's lifetime.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
from collections.abc import Iterator
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.reasoncodes import ReasonCode

from cloud.mqtt.client import make_client, start_and_wait
from cloud.mqtt.settings import MqttSettings
from cloud.plans.hooks import register_plan_publisher, unregister_plan_publisher
from shared.envelope import make_envelope
from shared.kinds import Kind
from shared.messages import PlanBody
from shared.plan import MedicationPlan
from shared.topics import down_topic

log = logging.getLogger(__name__)

PUBLISH_TIMEOUT_S = 10.0


class MqttPlanPublisher:
    """Publishes plans over one lazily opened connection (reconnected by paho if it drops)."""

    def __init__(self, settings: MqttSettings) -> None:
        self._settings = settings
        self._lock = threading.Lock()
        self._connected = threading.Event()
        self._client: mqtt.Client | None = None

    def _ensure_client(self) -> mqtt.Client:
        if self._client is None:
            client = make_client(self._settings, f"medmind-plans-{os.getpid()}", persistent=False)
            client.on_connect = self._on_connect
            client.on_disconnect = lambda *args: self._connected.clear()
            start_and_wait(client, self._settings, self._connected, persistent=False)
            self._client = client
        return self._client

    def _on_connect(
        self, client: mqtt.Client, userdata: Any, flags: Any, reason_code: ReasonCode, props: Any
    ) -> None:
        if reason_code.is_failure:
            log.error("broker refused the plan publisher: %s", reason_code)
            return
        self._connected.set()

    def publish(self, device_id: str, plan: MedicationPlan) -> None:
        """Publish `plan` retained for `device_id` and wait until the broker has it."""
        envelope = make_envelope(device_id, plan.version, PlanBody(plan=plan))
        with self._lock:
            client = self._ensure_client()
            if not self._connected.wait(PUBLISH_TIMEOUT_S):
                raise TimeoutError(f"not connected to {self._settings.url}")
            info = client.publish(
                down_topic(device_id, Kind.PLAN), envelope.to_json(), qos=1, retain=True
            )
        info.wait_for_publish(PUBLISH_TIMEOUT_S)
        log.info("plan %s v%d published to %s", plan.plan_id, plan.version, device_id)

    def close(self) -> None:
        """Disconnect (the retained plans stay on the broker)."""
        with self._lock:
            if self._client is not None:
                self._client.disconnect()
                self._client.loop_stop()
                self._client = None


@contextlib.contextmanager
def plan_publishing(broker_url: str | None) -> Iterator[MqttPlanPublisher | None]:
    """While open, plan changes are pushed to devices over MQTT (if a broker is configured).

    The API's lifespan runs inside this; with no broker URL (tests, a bare API) nothing is
    registered and devices pull their plan over REST.
    """
    if broker_url is None:
        yield None
        return
    publisher = MqttPlanPublisher(MqttSettings(url=broker_url))
    register_plan_publisher(publisher)
    try:
        yield publisher
    finally:
        unregister_plan_publisher(publisher)
        publisher.close()
