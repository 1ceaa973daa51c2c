"""The device's MQTT sync: publish the outbox, take acks, plans and commands from the cloud.

Two threads, each waiting on something rather than polling:

- the network thread owns the paho client: connect, run its loop, and after a lost connection
  wait an exponential, jittered backoff before the next attempt;
- the pump thread publishes outbox rows in sequence order, at most `max_in_flight` unacked at a
  time, and deletes rows the cloud's `down/ack` names. It sleeps until it is woken (a new outbox
  row, an ack, a connect) or the oldest send times out.

The session is persistent (clean session off, client id = device id). A retained `online` goes to
the status topic on every connect; the Last Will sets it to `offline`.
"""

from __future__ import annotations

import collections
import contextlib
import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion, MQTTErrorCode
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from paho.mqtt.reasoncodes import ReasonCode

from edge_agent.sync.backoff import Backoff
from edge_agent.sync.ports import DownlinkHandler, SyncStore
from edge_agent.sync.settings import SyncSettings
from edge_agent.sync.window import InFlightWindow
from shared.enums import PresenceState
from shared.envelope import ContractError, parse_envelope
from shared.kinds import Kind
from shared.messages import AckBody, CommandBody, PlanBody
from shared.presence import presence
from shared.topics import down_wildcard, status_topic

log = logging.getLogger(__name__)

SESSION_EXPIRY_S = 7 * 24 * 3600


class DeviceSync:
    """Keeps the device's outbox flowing to the cloud and hands downlinks to the agent."""

    def __init__(
        self,
        device_id: str,
        store: SyncStore,
        handler: DownlinkHandler,
        settings: SyncSettings,
        *,
        monotonic: Callable[[], float] = time.monotonic,
        on_connection_change: Callable[[bool], None] | None = None,
    ) -> None:
        self.device_id = device_id
        self._store = store
        self._handler = handler
        self._settings = settings
        self._monotonic = monotonic
        self._on_connection_change = on_connection_change
        self._window = InFlightWindow(settings.ack_timeout_s)
        self._backoff = Backoff(settings.backoff_base_s, settings.backoff_cap_s)
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self.connected = threading.Event()
        self._acks: collections.deque[list[str]] = collections.deque()
        self._lock = threading.Lock()
        self._client = self._make_client()
        self._threads = [
            threading.Thread(target=self._run_network, name=f"sync-net-{device_id}", daemon=True),
            threading.Thread(target=self._run_pump, name=f"sync-pump-{device_id}", daemon=True),
        ]

    def _make_client(self) -> mqtt.Client:
        settings = self._settings
        v5 = settings.protocol == "5"
        client = mqtt.Client(
            CallbackAPIVersion.VERSION2,
            client_id=self.device_id,
            clean_session=None if v5 else False,
            protocol=mqtt.MQTTv5 if v5 else mqtt.MQTTv311,
        )
        username = settings.username or self.device_id
        password = settings.password.get_secret_value() if settings.password else None
        client.username_pw_set(username, password)
        if settings.tls:
            client.tls_set(ca_certs=None if settings.ca_file is None else str(settings.ca_file))
        client.on_connect = self._on_connect
        client.on_disconnect = self._on_disconnect
        client.on_message = self._on_message
        return client

    # --- lifecycle ---------------------------------------------------------------------------

    def start(self) -> None:
        """Start the network and pump threads (returns at once; connecting happens in them)."""
        for thread in self._threads:
            thread.start()

    def wake(self) -> None:
        """Something changed (a new outbox row): let the pump look at the outbox now."""
        self._wake.set()

    def resend_all(self) -> None:
        """Publish every unacked row again now (the cloud's `sync_now` command)."""
        with self._lock:
            self._window.reset()
        self._wake.set()

    def stop(self, timeout_s: float = 5.0) -> None:
        """Mark the device offline (retained), disconnect, and join both threads."""
        if self.connected.is_set():
            # The network thread still runs here, so the PUBACK can arrive.
            info = self._client.publish(
                status_topic(self.device_id),
                presence(PresenceState.OFFLINE, datetime.now(UTC)),
                qos=1,
                retain=True,
            )
            with contextlib.suppress(RuntimeError):
                info.wait_for_publish(timeout=timeout_s)
        self._stopping.set()
        self._client.disconnect()
        self._wake.set()
        for thread in self._threads:
            if thread.is_alive():
                thread.join(timeout_s)

    # --- network thread ----------------------------------------------------------------------

    def _run_network(self) -> None:
        while not self._stopping.is_set():
            try:
                self._connect()
            except OSError as exc:
                log.info("device %s: broker unreachable (%s)", self.device_id, exc)
            else:
                try:
                    while not self._stopping.is_set():
                        if self._client.loop(timeout=1.0) is not MQTTErrorCode.MQTT_ERR_SUCCESS:
                            break
                except Exception:
                    # Never let the device lose its sync thread: reconnect after a backoff.
                    log.exception("device %s: network loop failed", self.device_id)
                self._lost_connection()
            if not self._stopping.is_set():
                self._stopping.wait(self._backoff.next_delay())

    def _connect(self) -> None:
        settings = self._settings
        # The Will is fixed at CONNECT; its time says when this connection began.
        self._client.will_set(
            status_topic(self.device_id),
            presence(PresenceState.OFFLINE, datetime.now(UTC)),
            qos=1,
            retain=True,
        )
        if settings.protocol == "5":
            properties = Properties(PacketTypes.CONNECT)  # type: ignore[no-untyped-call]
            properties.SessionExpiryInterval = SESSION_EXPIRY_S
            self._client.connect(
                settings.host,
                settings.port,
                settings.keepalive_s,
                clean_start=False,
                properties=properties,
            )
        else:
            self._client.connect(settings.host, settings.port, settings.keepalive_s)

    def _on_connect(
        self,
        client: mqtt.Client,
        userdata: Any,
        flags: mqtt.ConnectFlags,
        reason_code: ReasonCode,
        properties: Properties | None,
    ) -> None:
        if reason_code.is_failure:
            log.warning("device %s: broker refused the connection: %s", self.device_id, reason_code)
            client.disconnect()
            return
        self._backoff.reset()
        client.publish(
            status_topic(self.device_id),
            presence(PresenceState.ONLINE, datetime.now(UTC)),
            qos=1,
            retain=True,
        )
        client.subscribe(down_wildcard(self.device_id), qos=1)
        with self._lock:
            self._window.reset()
        self.connected.set()
        self._wake.set()
        self._report_connection(True)

    def _on_disconnect(
        self,
        client: mqtt.Client,
        userdata: Any,
        flags: mqtt.DisconnectFlags,
        reason_code: ReasonCode,
        properties: Properties | None,
    ) -> None:
        self._lost_connection()

    def _lost_connection(self) -> None:
        was_connected = self.connected.is_set()
        self.connected.clear()
        with self._lock:
            self._window.reset()
        if was_connected:
            self._report_connection(False)

    def _report_connection(self, online: bool) -> None:
        if self._on_connection_change is not None:
            self._on_connection_change(online)

    def _on_message(self, client: mqtt.Client, userdata: Any, message: mqtt.MQTTMessage) -> None:
        try:
            envelope = parse_envelope(bytes(message.payload))
        except ContractError as exc:
            log.warning(
                "device %s: ignoring bad downlink on %s: %s", self.device_id, message.topic, exc
            )
            return
        if envelope.device_id != self.device_id:
            log.warning(
                "device %s: ignoring downlink addressed to %s", self.device_id, envelope.device_id
            )
            return
        body = envelope.body
        if envelope.kind is Kind.ACK and isinstance(body, AckBody):
            with self._lock:
                self._acks.append([str(message_id) for message_id in body.message_ids])
            self._wake.set()
        elif envelope.kind is Kind.PLAN and isinstance(body, PlanBody):
            self._hand_over(self._handler.on_plan, body.plan)
        elif envelope.kind is Kind.COMMAND and isinstance(body, CommandBody):
            self._hand_over(self._handler.on_command, body)

    def _hand_over(self, handler: Callable[[Any], object], item: object) -> None:
        # An exception would escape paho's loop and end the network thread: log it instead
        # (a retained plan is offered again on the next connect).
        try:
            handler(item)
        except Exception:
            log.exception("device %s: handling a downlink failed", self.device_id)

    # --- pump thread -------------------------------------------------------------------------

    def _run_pump(self) -> None:
        while not self._stopping.is_set():
            self._wake.wait(self._seconds_to_next_deadline())
            self._wake.clear()
            if self._stopping.is_set():
                return
            try:
                self._apply_acks()
                if self.connected.is_set():
                    self._publish_due()
            except Exception:
                # The outbox is durable: log, back off a little and try again rather than die.
                log.exception("device %s: sync pump failed; retrying", self.device_id)
                self._stopping.wait(self._settings.backoff_base_s)
                self._wake.set()

    def _seconds_to_next_deadline(self) -> float | None:
        with self._lock:
            deadline = self._window.next_deadline()
        if deadline is None or not self.connected.is_set():
            return None
        return max(0.0, deadline - self._monotonic())

    def _apply_acks(self) -> None:
        with self._lock:
            batches = list(self._acks)
            self._acks.clear()
        for ids in batches:
            self._store.delete_acked(ids)
            with self._lock:
                self._window.acked(ids)

    def _publish_due(self) -> None:
        rows = self._store.outbox_batch(self._settings.max_in_flight)
        now = self._monotonic()
        with self._lock:
            due = self._window.due(rows, now)
        for row in due:
            info = self._client.publish(row.topic, row.payload, qos=1)
            if info.rc is not MQTTErrorCode.MQTT_ERR_SUCCESS:
                return
            with self._lock:
                self._window.mark_sent(row.message_id, now)
