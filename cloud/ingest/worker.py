"""The ingest worker: MQTT in, PostgreSQL, then acks out (`medmind cloud ingest`).

paho's network thread only queues what arrives (PUBLISH packets parsed by the client's fast
path); the worker thread takes everything queued (up to `max_batch`) as one batch, stores it
through `IngestService` in one transaction, and only after the commit acknowledges the batch's
MQTT messages (manual acks, one write) and publishes `down/ack` with the stored message ids to
each device. A failed commit is retried with backoff and nothing is acked,
so a crash at any point leaves the broker (persistent session) or the device (outbox) holding
the message, and the idempotent insert makes the redelivery harmless. Bad payloads become dead
letters inside `IngestService` and are acked like the rest: the loop never stops on input.

Several workers split the load through one shared subscription (`$share/<group>/...`).
"""

from __future__ import annotations

import gc
import itertools
import logging
import threading
import time
import uuid
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

import paho.mqtt.client as mqtt
from paho.mqtt.reasoncodes import ReasonCode
from sqlalchemy.orm import Session, sessionmaker

import cloud.db.models  # noqa: F401  (every mapper must be configured before a flush)
from cloud.clock import Clock, utc_now
from cloud.ingest.facts import PlanIndex
from cloud.ingest.presence import PresenceService
from cloud.ingest.service import IngestService, RawMessage
from cloud.ingest.settings import IngestSettings
from cloud.mqtt.client import make_client, start_and_wait
from cloud.mqtt.settings import MqttSettings
from shared.envelope import make_envelope
from shared.kinds import Kind
from shared.messages import MAX_ACK_IDS, AckBody
from shared.presence import PresenceStatus
from shared.topics import (
    TopicError,
    down_topic,
    parse_topic,
    shared_subscription,
    status_wildcard,
    up_wildcard,
)

log = logging.getLogger(__name__)

# Young-generation threshold of a worker process's cyclic garbage collector (CPython's default
# is 700). A batch keeps thousands of objects alive until it commits; at the default they were
# scanned again and again and promoted into ever older generations, about a quarter of the
# worker's CPU per event. What a batch leaves is freed by reference counting anyway.
GC_YOUNG_THRESHOLD = 20_000


def tune_garbage_collector() -> None:
    """Set up a worker process's garbage collector for batches (once, after start-up).

    Everything alive after start-up (modules, mappers, settings) lives as long as the process:
    `gc.freeze()` moves it out of the collector's sight, so a full collection scans only what
    was made since; the higher young threshold makes collections rarer while a batch is built.
    """
    gc.collect()
    gc.freeze()
    _, older, oldest = gc.get_threshold()
    gc.set_threshold(GC_YOUNG_THRESHOLD, older, oldest)


class Delivery(NamedTuple):
    """One MQTT message as received, with what is needed to ack it on the same connection."""

    mid: int
    qos: int
    topic: str
    payload: bytes
    connection: int


@dataclass
class WorkerStats:
    """Counters a benchmark or a log line reads."""

    batches: int = 0
    messages: int = 0
    acked_ids: int = 0


class IngestWorker:
    """One ingest worker process: a paho client with manual acks and a batching loop."""

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        mqtt_settings: MqttSettings,
        settings: IngestSettings,
        clock: Clock = utc_now,
    ) -> None:
        self._sessions = session_factory
        self._clock = clock
        self._mqtt_settings = mqtt_settings
        self._settings = settings
        # Filled by paho's network thread, emptied by the worker loop; `_arrived` wakes the loop.
        self._inbox: deque[Delivery] = deque()
        self._arrived = threading.Event()
        self._connection = itertools.count(1)
        self._current_connection = 0
        # Ack envelopes need an increasing seq; microseconds since the epoch survive restarts.
        self._ack_seq = itertools.count(time.time_ns() // 1000)
        self.stats = WorkerStats()
        # Plan versions read by earlier batches (the fact checks and the dose writer need them).
        self._plans = PlanIndex()
        # Set once the subscriptions are acknowledged.
        self.ready = threading.Event()
        self._client = make_client(
            mqtt_settings,
            mqtt_settings.client_id("ingest", settings.worker_id),
            persistent=settings.persistent_session,
            manual_ack=True,
        )
        self._client.max_inflight_messages_set(1000)
        self._client.max_queued_messages_set(0)
        self._client.on_connect = self._on_connect
        self._client.on_message = self._on_message
        self._client.on_publish_packet = self._receive
        self._client.on_subscribe = self._on_subscribe

    # --- MQTT side (paho's network thread) ---------------------------------------------------

    def _filters(self) -> list[str]:
        filters = [up_wildcard(), status_wildcard()]
        if self._mqtt_settings.shared_subscription:
            group = self._mqtt_settings.group
            return [shared_subscription(group, topic_filter) for topic_filter in filters]
        return filters

    def _on_connect(
        self,
        client: mqtt.Client,
        userdata: Any,
        flags: Any,
        reason_code: ReasonCode,
        properties: Any,
    ) -> None:
        if reason_code.is_failure:
            log.error("broker refused the ingest worker: %s", reason_code)
            return
        # Packet ids restart with a connection: never ack a message from an older one.
        self._current_connection = next(self._connection)
        client.subscribe([(topic_filter, 1) for topic_filter in self._filters()])

    def _on_subscribe(
        self, client: mqtt.Client, userdata: Any, mid: int, reason_codes: Any, properties: Any
    ) -> None:
        log.info("ingest worker %s subscribed", self._settings.name)
        self.ready.set()

    def _on_message(self, client: mqtt.Client, userdata: Any, message: mqtt.MQTTMessage) -> None:
        self._receive(message.topic, message.mid, message.qos, bytes(message.payload))

    def _receive(self, topic: str, mid: int, qos: int, payload: bytes) -> None:
        self._inbox.append(Delivery(mid, qos, topic, payload, self._current_connection))
        if not self._arrived.is_set():
            self._arrived.set()

    # --- worker loop -------------------------------------------------------------------------

    def run(self, stop: threading.Event) -> None:
        """Connect and ingest until `stop` is set."""
        start_and_wait(
            self._client,
            self._mqtt_settings,
            self.ready,
            persistent=self._settings.persistent_session,
        )
        self._client.reconnect_delay_set(1, 30)
        try:
            while not stop.is_set():
                batch = self._next_batch(timeout_s=0.5)
                if batch:
                    self._process(batch, stop)
        finally:
            self._client.disconnect()
            self._client.loop_stop()

    def _next_batch(self, timeout_s: float) -> list[Delivery]:
        inbox = self._inbox
        if not inbox:
            self._arrived.wait(timeout_s)
        # Cleared before taking: a message queued from now on sets it again.
        self._arrived.clear()
        batch: list[Delivery] = []
        while inbox and len(batch) < self._settings.max_batch:
            batch.append(inbox.popleft())
        return batch

    def _process(self, batch: list[Delivery], stop: threading.Event) -> None:
        delay = self._settings.retry_base_s
        while True:
            try:
                acks = self._store(batch)
                break
            except Exception:
                log.exception("storing a batch of %d failed; retrying in %.1f s", len(batch), delay)
                if stop.wait(delay):
                    return
                delay = min(delay * 2, self._settings.retry_cap_s)
        current = self._current_connection
        self._client.ack_many((d.mid, d.qos) for d in batch if d.connection == current)
        for device_id, message_ids in acks.items():
            self._publish_acks(device_id, message_ids)
        self.stats.batches += 1
        self.stats.messages += len(batch)

    def _store(self, batch: Sequence[Delivery]) -> dict[str, list[uuid.UUID]]:
        """Store the batch in one commit; return the message ids to ack, per sending device."""
        facts: list[RawMessage] = []
        statuses: list[Delivery] = []
        for delivery in batch:
            if delivery.topic.endswith("/status"):
                statuses.append(delivery)
            else:
                facts.append(
                    RawMessage(_topic_device(delivery.topic), delivery.payload, delivery.topic)
                )
        acks: dict[str, list[uuid.UUID]] = {}
        with self._sessions() as db:
            if statuses:
                presence = PresenceService(db)
                at = self._clock()
                for delivery in statuses:
                    _record_status(presence, delivery, at)
                db.commit()
            if facts:
                service = IngestService(
                    db, now=self._clock, bounds=self._settings.time_bounds, plans=self._plans
                )
                acks = service.ingest_raw(facts).ackable_by_sender()
        return acks

    def _publish_acks(self, device_id: str, message_ids: Sequence[uuid.UUID]) -> None:
        topic = down_topic(device_id, Kind.ACK)
        for start in range(0, len(message_ids), MAX_ACK_IDS):
            chunk = list(message_ids[start : start + MAX_ACK_IDS])
            envelope = make_envelope(device_id, next(self._ack_seq), AckBody(message_ids=chunk))
            self._client.publish(topic, envelope.to_json(), qos=1)
            self.stats.acked_ids += len(chunk)


def _topic_device(topic: str) -> str:
    """The device segment of `medmind/v1/devices/<device>/...` (validated later by ingest)."""
    parts = topic.split("/")
    return parts[3] if len(parts) > 3 else ""


def _record_status(presence: PresenceService, delivery: Delivery, at: datetime) -> None:
    try:
        device_id = parse_topic(delivery.topic).device_id
        status = PresenceStatus.model_validate_json(delivery.payload)
    except (TopicError, ValueError) as exc:
        log.warning("ignoring status message on %s: %s", delivery.topic, exc)
        return
    presence.record(device_id, status.state, at)
