"""Plan push: the full plan snapshot, retained, QoS 1, on the device's `down/plan`.

Retained, so a device that is offline now finds the newest plan when it next subscribes; the
envelope's seq is the plan version. Registered as the plans service's `PlanPublisher` hook by
`plan_publishing` for the API's lifetime, which also republishes every device's current plan
when it starts.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Iterator
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.reasoncodes import ReasonCode
from sqlalchemy.orm import Session, sessionmaker

from cloud.mqtt.client import make_client, start_and_wait
from cloud.mqtt.settings import MqttSettings
from cloud.plans.hooks import register_plan_publisher, unregister_plan_publisher
from cloud.plans.service import PlanService
from cloud.plans.wire import to_contract
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
            client = make_client(
                self._settings, self._settings.client_id("plans"), persistent=False
            )
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


def republish_current_plans(publisher: MqttPlanPublisher, sessions: sessionmaker[Session]) -> int:
    """Publish every assigned device's current plan, retained; how many were published.

    Run when the API starts, so a device registered while nothing published (the demo seed, a
    broker outage) still finds its plan; a device applies only versions newer than its own.
    """
    with sessions() as db:
        plans = PlanService(db).current_by_device()
        pairs = [(device_id, to_contract(plan)) for device_id, plan in plans]
    for device_id, plan in pairs:
        publisher.publish(device_id, plan)
    return len(pairs)


def _republish_in_background(
    publisher: MqttPlanPublisher, sessions: sessionmaker[Session]
) -> threading.Thread:
    def run() -> None:
        try:
            count = republish_current_plans(publisher, sessions)
            log.info("republished the current plan of %d devices", count)
        except Exception:
            log.exception("republishing the current plans failed; plan changes still publish")

    thread = threading.Thread(target=run, name="plan-republish", daemon=True)
    thread.start()
    return thread


@contextlib.contextmanager
def plan_publishing(
    broker_url: str | None, sessions: sessionmaker[Session] | None = None
) -> Iterator[MqttPlanPublisher | None]:
    """While open, plan changes are pushed to devices over MQTT (if a broker is configured).

    The API's lifespan runs inside this; with no broker URL (tests, a bare API) nothing is
    registered and devices pull their plan over REST. Given `sessions`, every device's current
    plan is also republished once, in the background, at the start.
    """
    if broker_url is None:
        yield None
        return
    publisher = MqttPlanPublisher(MqttSettings(url=broker_url))
    register_plan_publisher(publisher)
    republishing = None if sessions is None else _republish_in_background(publisher, sessions)
    try:
        yield publisher
    finally:
        unregister_plan_publisher(publisher)
        if republishing is not None:
            republishing.join(PUBLISH_TIMEOUT_S)
        publisher.close()
