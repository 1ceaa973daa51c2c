"""Benchmark: MQTT ingest throughput against the broker's own pass-through, in one run.

A private Mosquitto (tuned for ingest: 1000 unacked messages per subscriber, deep queues) and a
fresh database (on MEDMIND_DATABASE_URL's server, or the embedded PostgreSQL) are started. N
simulated devices, each its own MQTT client, publish `--events` QoS 1 dose-event envelopes
each, from `--publishers` processes. Three phases, each with fresh message ids:

1. raw: one subscriber on the same shared subscription the workers use, that only counts;
2. ingest with 1 worker (`medmind cloud ingest`): until every message is committed;
3. ingest with 2 workers sharing the subscription.

Each phase is timed from the first publish to the last message counted / committed. Prints
events/s per phase and ingest/raw; the last line is one JSON object.

    .venv/bin/python bench/ingest.py [--devices 50] [--events 400] [--publishers 2]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import multiprocessing
import os
import select
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from multiprocessing.synchronize import Event as EventType
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
import psycopg
from paho.mqtt.enums import CallbackAPIVersion

from cloud.config import CloudSettings
from cloud.db import migrate
from cloud.db.engine import database_url, libpq_url
from firmware_sim.embedded_broker import LOOPBACK, free_port, wait_for_port
from shared.enums import DoseSource, DoseStatus
from shared.envelope import make_envelope
from shared.kinds import Kind
from shared.messages import DoseEventBody
from shared.topics import shared_subscription, up_topic, up_wildcard

BROKER_CONFIG = """listener {port} 127.0.0.1
allow_anonymous true
persistence false
log_dest none
max_inflight_messages 1000
max_queued_messages 1000000
"""
GROUP = "ingest"
POLL_S = 0.1


def dose_event_payload(device_id: str, seq: int) -> bytes:
    """One realistic dose-event envelope (fresh message id and occurrence)."""
    due = datetime(2026, 11, 20, 7, 0, tzinfo=UTC)
    body = DoseEventBody(
        occurrence_id=uuid.uuid4(),
        plan_id=uuid.UUID(int=1),
        plan_version=1,
        item_id=uuid.UUID(int=2),
        medication_name="Metformin",
        local_date=date(2026, 11, 20),
        slot="08:00",
        due_at=due,
        status=DoseStatus.ON_TIME,
        decided_at=due,
        source=DoseSource.BUTTON,
    )
    return make_envelope(device_id, seq, body, sent_at=due).to_json()


def publish_devices(
    port: int, device_ids: list[str], events: int, seq_base: int, *, go: EventType, ready: Any
) -> None:
    """A publisher process: one client per device; publish everything QoS 1 at `go`.

    One thread drives every client's socket (select), as a process simulating many devices
    should: a network thread per client would spend the CPU on switching between them.
    """
    payloads = {
        device_id: [dose_event_payload(device_id, seq_base + n) for n in range(events)]
        for device_id in device_ids
    }
    clients = []
    for device_id in device_ids:
        client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"{device_id}-{seq_base}")
        client.max_inflight_messages_set(100)
        client.max_queued_messages_set(0)
        client.connect(LOOPBACK, port)
        clients.append(client)
    while not all(client.is_connected() for client in clients):
        _drive(clients)
    ready.put(len(device_ids))
    go.wait()
    infos = []
    for n in range(events):
        for client, device_id in zip(clients, device_ids, strict=True):
            topic = up_topic(device_id, Kind.DOSE_EVENT)
            infos.append(client.publish(topic, payloads[device_id][n], qos=1))
        _drive(clients, timeout_s=0)
    while not all(info.is_published() for info in infos):
        _drive(clients)
    for client in clients:
        client.disconnect()


def _drive(clients: list[mqtt.Client], timeout_s: float = 0.05) -> None:
    """One round of network I/O for every client."""
    by_socket = {sock: client for client in clients if (sock := client.socket()) is not None}
    writers = [sock for sock, client in by_socket.items() if client.want_write()]
    readable, writable, _ = select.select(list(by_socket), writers, [], timeout_s)
    for sock in readable:
        by_socket[sock].loop_read()
    for sock in writable:
        by_socket[sock].loop_write()
    for client in clients:
        client.loop_misc()


def count_messages(port: int, expected: int, ready: EventType, result: Any) -> None:
    """The raw phase's subscriber: count messages on the shared subscription, nothing else."""
    received = 0
    finished = threading.Event()

    def on_message(client: mqtt.Client, userdata: object, message: mqtt.MQTTMessage) -> None:
        nonlocal received
        received += 1
        if received >= expected:
            finished.set()

    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="bench-counter")
    client.on_message = on_message
    client.on_subscribe = lambda *args: ready.set()
    client.connect(LOOPBACK, port)
    client.subscribe(shared_subscription(GROUP, up_wildcard()), qos=1)
    client.loop_start()
    finished.wait(600)
    result.put(time.perf_counter())
    client.disconnect()
    client.loop_stop()


@contextlib.contextmanager
def mosquitto(workdir: Path) -> Iterator[int]:
    port = free_port()
    config = workdir / "mosquitto.conf"
    config.write_text(BROKER_CONFIG.format(port=port))
    process = subprocess.Popen(["mosquitto", "-c", str(config)], stderr=subprocess.DEVNULL)
    try:
        wait_for_port(LOOPBACK, port)
        yield port
    finally:
        process.terminate()
        process.wait(10)


@contextlib.contextmanager
def bench_database(device_ids: list[str]) -> Iterator[str]:
    """A fresh migrated database with one patient and device per id; dropped afterwards."""
    admin = libpq_url(database_url(CloudSettings()))
    name = f"medmind_bench_ingest_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = admin.rsplit("/", 1)[0] + f"/{name}"
    try:
        migrate.upgrade(url)
        with psycopg.connect(url) as conn:
            for device_id in device_ids:
                patient = uuid.uuid4()
                conn.execute(
                    "INSERT INTO patients (id, full_name) VALUES (%s, %s)", (patient, device_id)
                )
                conn.execute(
                    "INSERT INTO devices (id, device_id, patient_id) VALUES (%s, %s, %s)",
                    (uuid.uuid4(), device_id, patient),
                )
        yield url
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def start_workers(count: int, db_url: str, port: int, logs: Path) -> list[subprocess.Popen[bytes]]:
    """`medmind cloud ingest` processes, returned once each has subscribed."""
    env = dict(
        os.environ,
        MEDMIND_DATABASE_URL=db_url,
        MEDMIND_MQTT_URL=f"mqtt://{LOOPBACK}:{port}",
        MEDMIND_MQTT_SHARED_GROUP=GROUP,
    )
    workers = []
    for index in range(count):
        log_path = logs / f"worker-{index}.log"
        workers.append(
            subprocess.Popen(
                [
                    sys.executable,
                    "-c",
                    "from shared.cli import main; main()",
                    "cloud",
                    "ingest",
                    "--worker-id",
                    f"bench-{index}",
                ],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=log_path.open("wb"),
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


def stored(conn: psycopg.Connection[Any]) -> int:
    """Messages committed so far (on one open autocommit connection: a new connection per look
    would cost the server a process each time, stolen from the workers being measured)."""
    row = conn.execute("SELECT count(*) FROM ingested_messages").fetchone()
    return int(row[0]) if row else 0


@dataclass(frozen=True)
class Setup:
    """What every phase shares: broker port, database, devices and load."""

    port: int
    db_url: str
    device_ids: list[str]
    events: int
    publishers: int
    logs: Path

    @property
    def total(self) -> int:
        return len(self.device_ids) * self.events


def start_publishers(setup: Setup, seq_base: int) -> tuple[EventType, list[Any]]:
    """Publisher processes, connected and holding their payloads; they publish on the event."""
    ctx = multiprocessing.get_context("spawn")
    go = ctx.Event()
    ready = ctx.Queue()
    procs = []
    for index in range(setup.publishers):
        share = setup.device_ids[index :: setup.publishers]
        proc = ctx.Process(
            target=publish_devices,
            args=(setup.port, share, setup.events, seq_base),
            kwargs={"go": go, "ready": ready},
        )
        proc.start()
        procs.append(proc)
    for _ in procs:
        ready.get(timeout=300)
    return go, procs


def phase_raw(setup: Setup) -> float:
    """Events/s through the broker to a subscriber that only counts."""
    ctx = multiprocessing.get_context("spawn")
    ready, result = ctx.Event(), ctx.Queue()
    counter = ctx.Process(target=count_messages, args=(setup.port, setup.total, ready, result))
    counter.start()
    ready.wait(30)
    go, procs = start_publishers(setup, 0)
    started = time.perf_counter()
    go.set()
    finished = float(result.get(timeout=600))
    for proc in [*procs, counter]:
        proc.join(60)
    return setup.total / (finished - started)


def cpu_seconds(pid: int) -> float:
    """User + system CPU a process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class IngestRun:
    """One ingest phase: throughput, and worker CPU per event (the machine may be shared)."""

    eps: float
    worker_cpu_us_per_event: float


def phase_ingest(setup: Setup, workers: int, seq_base: int) -> IngestRun:
    """Events/s from the first publish until every event is committed by `workers` workers."""
    conn = psycopg.connect(setup.db_url, autocommit=True)
    baseline = stored(conn)
    running = start_workers(workers, setup.db_url, setup.port, setup.logs)
    try:
        go, procs = start_publishers(setup, seq_base)
        cpu_before = sum(cpu_seconds(worker.pid) for worker in running)
        started = time.perf_counter()
        go.set()
        while stored(conn) < baseline + setup.total:
            time.sleep(POLL_S)
        finished = time.perf_counter()
        cpu = sum(cpu_seconds(worker.pid) for worker in running) - cpu_before
        for proc in procs:
            proc.join(60)
    finally:
        conn.close()
        for worker in running:
            worker.terminate()
            worker.wait(30)
    return IngestRun(setup.total / (finished - started), cpu * 1e6 / setup.total)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, default=50)
    parser.add_argument("--events", type=int, default=400, help="Messages per device per phase.")
    parser.add_argument("--publishers", type=int, default=2, help="Publisher processes.")
    args = parser.parse_args()
    device_ids = [f"bench-{n:04d}" for n in range(args.devices)]
    total = args.devices * args.events

    with (
        tempfile.TemporaryDirectory() as tmp,
        mosquitto(Path(tmp)) as port,
        bench_database(device_ids) as db_url,
    ):
        setup = Setup(port, db_url, device_ids, args.events, args.publishers, Path(tmp))
        raw = phase_raw(setup)
        print(f"raw broker pass-through: {raw:,.0f} events/s ({total} events)", flush=True)
        one = phase_ingest(setup, workers=1, seq_base=1_000_000)
        print(
            f"ingest, 1 worker:        {one.eps:,.0f} events/s "
            f"(worker CPU {one.worker_cpu_us_per_event:.0f} us/event)",
            flush=True,
        )
        two = phase_ingest(setup, workers=2, seq_base=2_000_000)
        print(
            f"ingest, 2 workers:       {two.eps:,.0f} events/s "
            f"(worker CPU {two.worker_cpu_us_per_event:.0f} us/event)",
            flush=True,
        )
        ratio = two.eps / raw
        print(f"ratio ingest(2)/raw:     {ratio:.2f}", flush=True)
        print(
            json.dumps(
                {
                    "devices": args.devices,
                    "events_per_phase": total,
                    "raw_eps": round(raw, 1),
                    "ingest_eps_1": round(one.eps, 1),
                    "ingest_eps_2": round(two.eps, 1),
                    "ratio": round(ratio, 3),
                    "ratio_1": round(one.eps / raw, 3),
                    "worker_cpu_us_per_event_1": round(one.worker_cpu_us_per_event),
                    "worker_cpu_us_per_event_2": round(two.worker_cpu_us_per_event),
                    "load_average_1m": round(os.getloadavg()[0], 2),
                }
            )
        )


if __name__ == "__main__":
    main()
