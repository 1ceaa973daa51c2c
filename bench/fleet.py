"""Benchmark: a fleet of devices holding MQTT connections through a morning peak.

N devices (default 10,000) are N real MQTT connections held by this one asyncio process
(gmqtt), opened at `--connect-rate` per second. Each subscribes to its own `down/ack` topic and
sends a heartbeat every `--heartbeat-s` (a compressed day). After `--hold-s` of heartbeats
alone comes the morning peak: every device publishes one dose event at a random moment within
`--peak-s`; then a second, smaller peak (`--second-peak` of the devices). Every publish is
QoS 1 and waits for the cloud's application ack (`down/ack`, sent after the commit).

The broker is a private Mosquitto when it is installed, on loopback, with a login and an ACL
per device (the files `medmind cloud broker-files` writes: each device only on its own topics)
and a service account for the workers; else the embedded amqtt broker (anonymous, no shared
subscriptions: one worker). The
database is a fresh one on MEDMIND_DATABASE_URL's server, or the embedded PostgreSQL. The
workers are `medmind cloud ingest` processes on the shared subscription.

Measured: connections held and lost (any disconnect counts), publish -> ack latency p50/p95/p99
of each peak's dose events, dose events stored exactly once (lost: published and never stored;
duplicates: stored more than once), CPU µs per event of the broker, the workers, the
PostgreSQL backends of the bench database and this load generator over the peaks, and the peak
RSS of each (PostgreSQL: the sum of its backends' proportional set sizes). The last line is one
JSON object.

    .venv/bin/python bench/fleet.py [--devices 10000] [--workers 2] [--connect-rate 500]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import random
import resource
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
from gmqtt import Client
from gmqtt.mqtt.constants import MQTTv311

from cloud.broker_auth.passwords import mosquitto_hash
from cloud.broker_auth.rules import device_acl_lines
from cloud.config import CloudSettings
from cloud.db import migrate
from cloud.db.engine import database_url, libpq_url, with_database
from firmware_sim.embedded_broker import LOOPBACK, free_port, start_embedded_broker, wait_for_port
from shared.enums import DoseSource, DoseStatus
from shared.envelope import make_envelope, parse_envelope
from shared.kinds import Kind
from shared.messages import DoseEventBody, HeartbeatBody
from shared.schedule import occurrence_id
from shared.topics import TOPIC_ROOT, down_topic, up_topic

# The password and ACL files are private to whoever wrote them: a broker started as root keeps
# its user (as in tests/sync/test_broker_acl.py) instead of switching to `mosquitto`.
BROKER_CONFIG = """listener {port} 127.0.0.1
user root
allow_anonymous false
password_file {passwords}
acl_file {acl}
persistence false
log_dest none
max_connections -1
max_inflight_messages 1000
max_queued_messages 1000000
"""
GROUP = "fleet"
# Each patient's plan: one medication due at these times (UTC) every day since yesterday; the
# first peak decides the first dose, the second peak the second (ingest checks every dose
# against the plan).
FLEET_NAMESPACE = uuid.UUID("3f1d8c2a-7b64-4e0f-9a51-c2d7e8b90f14")
PEAK_SLOTS = ("07:00", "12:00")
SERVICE_ACCOUNT = "medmind-cloud"
DRAIN_TIMEOUT_S = 120.0
CONNECT_TIMEOUT_S = 60.0
SAMPLE_EVERY_S = 1.0
FD_SPARE = 256


def raise_open_file_limit(wanted: int) -> int:
    """Raise this process's soft open-file limit towards `wanted` (up to the hard limit); the
    limit now in force. Children (the broker, the workers) inherit it."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if target > soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


# -- measuring processes (Linux /proc) ------------------------------------------------------


def cpu_seconds(pid: int) -> float:
    """User + system CPU a process has used so far (0 once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def pss_mb(pid: int) -> float:
    """A process's proportional set size: shared pages divided among the processes sharing
    them, so the PSS of a server's processes adds up to what the server holds."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def peak_rss_mb(pid: int) -> float:
    """A process's peak resident set (VmHWM)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


@dataclass
class Meters:
    """The processes measured: broker, workers, the bench database's PostgreSQL backends
    (`find_postgres` lists them; the workers connect on their first batch)."""

    broker: int
    workers: list[int]
    find_postgres: Callable[[], list[int]]
    postgres: list[int] = field(default_factory=list)
    postgres_peak_mb: float = 0.0

    def cpu(self) -> dict[str, float]:
        return {
            "broker": cpu_seconds(self.broker),
            "workers": sum(cpu_seconds(pid) for pid in self.workers),
            "postgres": sum(cpu_seconds(pid) for pid in self.postgres),
            "fleet": cpu_seconds(os.getpid()),
        }

    def sample(self) -> None:
        self.postgres_peak_mb = max(self.postgres_peak_mb, sum(map(pss_mb, self.postgres)))

    def peak_rss(self) -> dict[str, float]:
        return {
            "broker": round(peak_rss_mb(self.broker), 1),
            "workers": round(max(map(peak_rss_mb, self.workers)), 1),
            "postgres": round(self.postgres_peak_mb, 1),
            "fleet": round(peak_rss_mb(os.getpid()), 1),
        }


def backend_pids(conn: psycopg.Connection[Any]) -> list[int]:
    """Server processes connected to `conn`'s database, except `conn`'s own."""
    rows = conn.execute(
        "SELECT pid FROM pg_stat_activity "
        "WHERE datname = current_database() AND pid <> pg_backend_pid()"
    ).fetchall()
    return [row[0] for row in rows]


# Tables a device's messages write, and what a row of each costs on disk with its indexes.
GROWTH = ("ingested_messages", "device_heartbeats", "dose_event_logs", "dose_occurrences")


def bytes_per_row(conn: psycopg.Connection[Any]) -> dict[str, float]:
    """Disk bytes (heap, TOAST, indexes, over every partition) per row of each growth table."""
    sizes = {}
    for table in GROWTH:
        row = conn.execute(
            "SELECT coalesce((SELECT sum(pg_total_relation_size(relid)) "
            "FROM pg_partition_tree(%s)), pg_total_relation_size(%s)),"
            f" (SELECT count(*) FROM {table})",
            (table, table),
        ).fetchone()
        assert row is not None
        sizes[table] = round(float(row[0]) / row[1], 1) if row[1] else 0.0
    return sizes


# -- the services ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Broker:
    """The bench's broker: where it listens, its pid, and whether it shares subscriptions."""

    name: str
    port: int
    pid: int
    shared: bool


@dataclass(frozen=True)
class Credentials:
    """A secret per device and one for the workers' service account."""

    devices: dict[str, str]
    service: str

    @classmethod
    def make(cls, device_ids: list[str]) -> Credentials:
        return cls({d: secrets.token_urlsafe(16) for d in device_ids}, secrets.token_urlsafe(16))


def write_broker_files(workdir: Path, credentials: Credentials) -> tuple[Path, Path]:
    """Mosquitto's password and ACL files as `medmind cloud broker-files` writes them: each
    device only on its own topics, the service account on every device's."""
    passwords = [f"{SERVICE_ACCOUNT}:{mosquitto_hash(credentials.service)}"]
    acl = [f"user {SERVICE_ACCOUNT}", f"topic readwrite {TOPIC_ROOT}/#", ""]
    for device_id, secret in credentials.devices.items():
        passwords.append(f"{device_id}:{mosquitto_hash(secret)}")
        acl += [*device_acl_lines(device_id, device_id), ""]
    password_file, acl_file = workdir / "passwords", workdir / "acl"
    password_file.write_text("\n".join(passwords) + "\n")
    acl_file.write_text("\n".join(acl) + "\n")
    return password_file, acl_file


@contextlib.contextmanager
def broker(workdir: Path, credentials: Credentials) -> Iterator[Broker]:
    """A private Mosquitto with a login per device if installed, else the embedded amqtt
    broker (anonymous)."""
    if shutil.which("mosquitto") is None:
        embedded = start_embedded_broker()
        try:
            yield Broker("amqtt", embedded.port, embedded.process.pid, shared=False)
        finally:
            embedded.stop()
        return
    port = free_port()
    config = workdir / "mosquitto.conf"
    passwords, acl = write_broker_files(workdir, credentials)
    config.write_text(BROKER_CONFIG.format(port=port, passwords=passwords, acl=acl))
    process = subprocess.Popen(["mosquitto", "-c", str(config)], stderr=subprocess.DEVNULL)
    try:
        wait_for_port(LOOPBACK, port)
        yield Broker("mosquitto", port, process.pid, shared=True)
    finally:
        process.terminate()
        process.wait(10)


@contextlib.contextmanager
def fleet_database(device_ids: list[str]) -> Iterator[str]:
    """A fresh migrated database with one patient per device; dropped afterwards."""
    admin = libpq_url(database_url(CloudSettings()))
    name = f"medmind_bench_fleet_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = with_database(admin, name)
    try:
        migrate.upgrade(url)
        patients = [uuid.uuid4() for _ in device_ids]
        versions = [uuid.uuid4() for _ in device_ids]
        plans, items = zip(*(plan_ids(device_id) for device_id in device_ids), strict=True)
        start = datetime.now(UTC).date() - timedelta(days=1)
        with psycopg.connect(url) as conn:
            conn.execute(
                "INSERT INTO patients (id, full_name) SELECT * FROM unnest(%s::uuid[], %s::text[])",
                (patients, device_ids),
            )
            conn.execute(
                "INSERT INTO medication_plans (id, patient_id, plan_id, version, timezone, "
                "issued_at) SELECT v, p, plan, 1, 'UTC', now() "
                "FROM unnest(%s::uuid[], %s::uuid[], %s::uuid[]) AS t(v, p, plan)",
                (versions, patients, list(plans)),
            )
            conn.execute(
                "INSERT INTO medication_plan_items (id, plan_version_id, item_id, position, "
                "medication_name, dose, unit, times_of_day, days_of_week, start_date) "
                "SELECT gen_random_uuid(), v, item, 0, 'Metformin', 500, 'mg', %s, '{}', %s "
                "FROM unnest(%s::uuid[], %s::uuid[]) AS t(v, item)",
                (list(PEAK_SLOTS), start, versions, list(items)),
            )
            conn.execute(
                "INSERT INTO devices (device_id, patient_id) "
                "SELECT * FROM unnest(%s::text[], %s::uuid[])",
                (device_ids, patients),
            )
        yield url
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def start_workers(
    count: int, db_url: str, broker: Broker, logs: Path, service_secret: str
) -> list[subprocess.Popen[bytes]]:
    """`medmind cloud ingest` processes, returned once each has subscribed."""
    env = dict(
        os.environ,
        MEDMIND_DATABASE_URL=db_url,
        MEDMIND_MQTT_URL=f"mqtt://{LOOPBACK}:{broker.port}",
        MEDMIND_MQTT_SHARED_GROUP=GROUP,
        MEDMIND_MQTT_SHARED_SUBSCRIPTION=str(broker.shared).lower(),
        MEDMIND_MQTT_USERNAME=SERVICE_ACCOUNT,
        MEDMIND_MQTT_PASSWORD=service_secret,
    )
    workers = []
    for index in range(count):
        log_path = logs / f"worker-{index}.log"
        command = [sys.executable, "-c", "from shared.cli import main; main()", "cloud", "ingest"]
        workers.append(
            subprocess.Popen(
                command, env=env, stdout=subprocess.DEVNULL, stderr=log_path.open("wb")
            )
        )
    deadline = time.monotonic() + 60
    for index in range(count):
        log_path = logs / f"worker-{index}.log"
        while "subscribed" not in log_path.read_text():
            if time.monotonic() > deadline:
                raise TimeoutError(f"worker {index} did not subscribe: {log_path.read_text()}")
            time.sleep(0.05)
    return workers


# -- the fleet ------------------------------------------------------------------------------


def plan_ids(device_id: str) -> tuple[uuid.UUID, uuid.UUID]:
    """The plan and item ids of the plan `fleet_database` stores for a device's patient."""
    return uuid.uuid5(FLEET_NAMESPACE, f"{device_id}/plan"), uuid.uuid5(
        FLEET_NAMESPACE, f"{device_id}/item"
    )


def dose_event(device_id: str, seq: int, day: date, slot: str) -> tuple[uuid.UUID, bytes]:
    """A dose-event envelope deciding the device's dose at `slot` (UTC) on `day`, as its plan
    derives it (ingest refuses any other): its message id and bytes."""
    plan_id, item_id = plan_ids(device_id)
    hour, minute = (int(part) for part in slot.split(":"))
    due = datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)
    body = DoseEventBody(
        occurrence_id=occurrence_id(item_id, day, slot),
        plan_id=plan_id,
        plan_version=1,
        item_id=item_id,
        medication_name="Metformin",
        local_date=day,
        slot=slot,
        due_at=due,
        status=DoseStatus.ON_TIME,
        decided_at=datetime.now(UTC),
        source=DoseSource.BUTTON,
    )
    envelope = make_envelope(device_id, seq, body)
    return envelope.message_id, envelope.to_json()


def heartbeat(device_id: str, seq: int, uptime_s: float) -> bytes:
    body = HeartbeatBody(uptime_s=uptime_s, outbox_depth=0, software_version="fleet-bench")
    return make_envelope(device_id, seq, body).to_json()


class Device:
    """One simulated device: a gmqtt connection, its sequence numbers, its unacked messages."""

    def __init__(self, fleet: Fleet, device_id: str, secret: str) -> None:
        self.fleet = fleet
        self.device_id = device_id
        self.seq = 0
        self.connected = False
        self.client = Client(device_id, clean_session=True)
        self.client.set_auth_credentials(device_id, secret)
        self.client.on_connect = self._on_connect
        self.client.on_disconnect = self._on_disconnect
        self.client.on_message = self._on_message

    def _on_connect(self, client: Client, flags: int, rc: int, properties: Any) -> None:
        self.connected = True
        client.subscribe(down_topic(self.device_id, Kind.ACK), qos=1)

    def _on_disconnect(self, client: Client, packet: Any, exc: Any = None) -> None:
        if self.connected and not self.fleet.closing:
            self.fleet.lost += 1
        self.connected = False

    def _on_message(self, client: Client, topic: str, payload: bytes, qos: int, props: Any) -> int:
        acked_at = time.perf_counter()
        for message_id in parse_envelope(payload).body.message_ids:
            self.fleet.acked(message_id, acked_at)
        return 0

    def publish(self, kind: Kind, payload: bytes) -> None:
        self.client.publish(up_topic(self.device_id, kind), payload, qos=1)

    def next_seq(self) -> int:
        self.seq += 1
        return self.seq


@dataclass
class Peak:
    """One peak's dose events: when each was published and acked (perf_counter)."""

    published: dict[uuid.UUID, float] = field(default_factory=dict)
    acked: dict[uuid.UUID, float] = field(default_factory=dict)
    unsent: int = 0

    def latencies_ms(self) -> list[float]:
        return sorted(
            (self.acked[m] - t) * 1000 for m, t in self.published.items() if m in self.acked
        )


class Fleet:
    """Every device, on one event loop."""

    def __init__(self, credentials: Credentials, port: int) -> None:
        self.port = port
        self.devices = [Device(self, d, secret) for d, secret in credentials.devices.items()]
        self.lost = 0
        self.closing = False
        self.peaks: list[Peak] = []
        self.heartbeats = 0

    def acked(self, message_id: uuid.UUID, at: float) -> None:
        for peak in self.peaks:
            if message_id in peak.published:
                peak.acked.setdefault(message_id, at)

    @property
    def connected(self) -> int:
        return sum(device.connected for device in self.devices)

    async def connect(self, rate: float) -> float:
        """Open every connection at `rate` per second; the seconds it took."""
        started = time.perf_counter()
        pending = []
        for index, device in enumerate(self.devices):
            due = started + index / rate
            if (wait := due - time.perf_counter()) > 0:
                await asyncio.sleep(wait)
            connecting = device.client.connect(LOOPBACK, self.port, version=MQTTv311)
            pending.append(asyncio.ensure_future(asyncio.wait_for(connecting, CONNECT_TIMEOUT_S)))
        results = await asyncio.gather(*pending, return_exceptions=True)
        failures = [r for r in results if isinstance(r, BaseException)]
        if failures:
            print(f"{len(failures)} connections failed, first: {failures[0]!r}", flush=True)
        return time.perf_counter() - started

    async def heartbeats_for(self, seconds: float, every_s: float) -> None:
        """Every device sends a heartbeat every `every_s`, spread evenly, for `seconds`."""
        started = time.perf_counter()
        step = every_s / len(self.devices)
        tick = 0
        while (now := time.perf_counter()) - started < seconds:
            due = started + tick * step
            if due > now:
                await asyncio.sleep(min(due - now, 0.05))
                continue
            device = self.devices[tick % len(self.devices)]
            if device.connected:
                device.publish(Kind.HEARTBEAT, heartbeat(device.device_id, device.next_seq(), now))
                self.heartbeats += 1
            tick += 1

    async def peak(self, share: float, window_s: float, day: date, slot: str) -> Peak:
        """`share` of the devices each publish one dose event (their dose at `slot`) at a random
        moment of the window."""
        peak = Peak()
        self.peaks.append(peak)
        chosen = random.sample(self.devices, round(len(self.devices) * share))
        moments = sorted((random.uniform(0, window_s), device) for device in chosen)
        payloads = [dose_event(d.device_id, d.next_seq(), day, slot) for _, d in moments]
        started = time.perf_counter()
        for (offset, device), (message_id, payload) in zip(moments, payloads, strict=True):
            if (wait := started + offset - time.perf_counter()) > 0:
                await asyncio.sleep(wait)
            if not device.connected:
                # A real device would keep it in its outbox; here it is counted as not sent.
                peak.unsent += 1
                continue
            peak.published[message_id] = time.perf_counter()
            device.publish(Kind.DOSE_EVENT, payload)
        return peak

    async def drain(self, timeout_s: float) -> None:
        """Wait until every dose event is acked (or the timeout)."""
        deadline = time.perf_counter() + timeout_s
        while any(len(p.acked) < len(p.published) for p in self.peaks):
            if time.perf_counter() > deadline:
                return
            await asyncio.sleep(0.1)

    async def close(self) -> None:
        self.closing = True
        await asyncio.gather(
            *(d.client.disconnect() for d in self.devices if d.connected), return_exceptions=True
        )


def percentile(values: list[float], fraction: float) -> float | None:
    if not values:
        return None
    return round(values[min(len(values) - 1, int(fraction * len(values)))], 1)


@dataclass(frozen=True)
class Options:
    devices: int
    workers: int
    connect_rate: float
    heartbeat_s: float
    hold_s: float
    peak_s: float
    second_peak: float


async def run_fleet(
    options: Options, credentials: Credentials, broker_: Broker, meters: Meters
) -> dict[str, Any]:
    """Connect, hold, the two peaks; what was measured."""
    fleet = Fleet(credentials, broker_.port)
    connect_s = await fleet.connect(options.connect_rate)
    connected_after_open = fleet.connected
    print(f"{connected_after_open} of {options.devices} connected in {connect_s:.1f} s", flush=True)
    await fleet.heartbeats_for(options.hold_s, options.heartbeat_s)
    heartbeats_before = fleet.heartbeats
    meters.postgres = meters.find_postgres()
    cpu_before = meters.cpu()
    peak_started = time.perf_counter()
    beating = asyncio.ensure_future(
        fleet.heartbeats_for(options.peak_s * 2 + 20, options.heartbeat_s)
    )
    today = datetime.now(UTC).date()
    first = await fleet.peak(1.0, options.peak_s, today, PEAK_SLOTS[0])
    await asyncio.sleep(10)
    second = await fleet.peak(options.second_peak, options.peak_s, today, PEAK_SLOTS[1])
    await beating
    await fleet.drain(DRAIN_TIMEOUT_S)
    peak_s = time.perf_counter() - peak_started
    cpu_after = meters.cpu()
    connected = fleet.connected
    events = len(first.published) + len(second.published) + fleet.heartbeats - heartbeats_before
    await fleet.close()
    first_ms, second_ms = first.latencies_ms(), second.latencies_ms()
    print(
        f"peak 1: {len(first.acked)}/{len(first.published)} acked, p99 "
        f"{percentile(first_ms, 0.99)} ms; peak 2: {len(second.acked)}/{len(second.published)}"
        f" acked, p99 {percentile(second_ms, 0.99)} ms; {events} events in {peak_s:.0f} s",
        flush=True,
    )
    return {
        "connect_s": round(connect_s, 1),
        "connected_after_open": connected_after_open,
        "connected": connected,
        "disconnects": fleet.lost,
        "dose_events": [len(first.published), len(second.published)],
        "unsent": first.unsent + second.unsent,
        "acked": [len(first.acked), len(second.acked)],
        "published_ids": [*first.published, *second.published],
        "peak_ack_ms": {
            name: {
                "p50": percentile(values, 0.50),
                "p95": percentile(values, 0.95),
                "p99": percentile(values, 0.99),
                "max": percentile(values, 1.0),
            }
            for name, values in (("first", first_ms), ("second", second_ms))
        },
        "peak_ack_p99_ms": percentile(sorted(first_ms + second_ms), 0.99),
        "events_in_peaks": events,
        "cpu_us_per_event": {
            part: round((cpu_after[part] - cpu_before[part]) * 1e6 / events, 1)
            for part in cpu_after
        },
    }


def sample_memory(meters: Meters, stop: threading.Event) -> None:
    while not stop.wait(SAMPLE_EVERY_S):
        meters.sample()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2, help="Ingest workers (amqtt: 1).")
    parser.add_argument("--connect-rate", type=float, default=500.0, help="New connections/s.")
    parser.add_argument("--heartbeat-s", type=float, default=60.0, help="Heartbeat interval.")
    parser.add_argument("--hold-s", type=float, default=60.0, help="Heartbeats only, before.")
    parser.add_argument("--peak-s", type=float, default=60.0, help="Length of each peak.")
    parser.add_argument("--second-peak", type=float, default=0.3, help="Share in peak 2.")
    args = parser.parse_args()
    logging.getLogger("gmqtt").setLevel(logging.CRITICAL)
    nofile = raise_open_file_limit(args.devices * 2 + FD_SPARE)
    device_ids = [f"fleet-{n:05d}" for n in range(args.devices)]
    credentials = Credentials.make(device_ids)
    with (
        tempfile.TemporaryDirectory() as tmp,
        broker(Path(tmp), credentials) as broker_,
        fleet_database(device_ids) as db_url,
    ):
        workers = args.workers if broker_.shared else 1
        options = Options(
            args.devices,
            workers,
            args.connect_rate,
            args.heartbeat_s,
            args.hold_s,
            args.peak_s,
            args.second_peak,
        )
        running = start_workers(workers, db_url, broker_, Path(tmp), credentials.service)
        stop = threading.Event()
        try:
            with psycopg.connect(db_url, autocommit=True) as db:
                meters = Meters(broker_.pid, [w.pid for w in running], lambda: backend_pids(db))
                sampler = threading.Thread(target=sample_memory, args=(meters, stop), daemon=True)
                sampler.start()
                print(
                    f"{args.devices} devices on {broker_.name}, {workers} worker(s), "
                    f"open-file limit {nofile}",
                    flush=True,
                )
                result = asyncio.run(run_fleet(options, credentials, broker_, meters))
                published = result.pop("published_ids")
                stored = db.execute(
                    "SELECT count(*), count(DISTINCT message_id) FROM dose_event_logs "
                    "WHERE message_id = ANY(%s)",
                    (published,),
                ).fetchone()
                assert stored is not None
                peak_rss = meters.peak_rss()
                db.execute("VACUUM ANALYZE")
                row_bytes = bytes_per_row(db)
        finally:
            stop.set()
            for worker in running:
                worker.terminate()
                worker.wait(30)
    rows, distinct = stored
    print(
        json.dumps(
            {
                "devices": args.devices,
                "broker": broker_.name,
                "workers": workers,
                "open_file_limit": nofile,
                "connected": result["connected"],
                "connected_after_open": result["connected_after_open"],
                "lost": len(published) - distinct,
                "duplicates": rows - distinct,
                "disconnects": result["disconnects"],
                "peak_ack_p99_ms": result["peak_ack_p99_ms"],
                "peak_ack_ms": result["peak_ack_ms"],
                "dose_events": result["dose_events"],
                "unsent_while_disconnected": result["unsent"],
                "acked": result["acked"],
                "connect_s": result["connect_s"],
                "heartbeat_s": args.heartbeat_s,
                "events_in_peaks": result["events_in_peaks"],
                "cpu_us_per_event": result["cpu_us_per_event"],
                "peak_rss_mb": peak_rss,
                "bytes_per_row": row_bytes,
                "load_average_1m": round(os.getloadavg()[0], 2),
            }
        )
    )
    if rows != distinct or distinct != len(published):
        # Figures of a run that lost or doubled dose events are no figures: fail `make bench`.
        sys.exit(f"{len(published) - distinct} dose events lost, {rows - distinct} duplicated")


if __name__ == "__main__":
    main()
