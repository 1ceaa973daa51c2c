"""Web app latency: a caregiver with 50 patients x 90 days (target: p95 <= 100 ms each).

Seeds a fresh database set-wise in SQL: one caregiver linked to 50 patients, four doses a day
for 90 days with their deciding events, a device per patient, open and resolved alerts,
symptoms, interactions and medications with stock. Then, signed in with a web session (made
by the session service, as sign-in makes it), measures over HTTP with 4 concurrent keep-alive
clients (uvicorn on loopback, as `bench/api.py` runs it):

- My patients       `GET /app/`                 (every patient's 7- and 30-day adherence...)
- the patient page  `GET /app/patients/{id}`    (timeline, 30-day chart and trend, alerts...)

and the size of each page, with `GET /healthz` (no work) as the baseline of the machine. First
the same pages are timed through the app in this process, one request at a time: the server's
own time per page, comparable across runs on a busy machine.
Database: `MEDMIND_BENCH_DATABASE_URL` or `MEDMIND_TEST_DATABASE_URL` (an admin URL; a scratch
database is made and dropped), else an embedded PostgreSQL in a temporary directory. The last
line is one JSON object.

    .venv/bin/python bench/dashboard.py
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
# The database, server and raw HTTP client helpers of the API benchmark.
sys.path.insert(0, str(ROOT / "bench"))

from api import (  # noqa: E402
    HOOK_TOKEN,
    JWT_SECRET,
    admin_url,
    percentile,
    scratch_database,
    uvicorn_server,
)
from sqlalchemy.orm import Session  # noqa: E402

from cloud.config import CloudSettings  # noqa: E402
from cloud.db import migrate  # noqa: E402
from cloud.db.engine import sqlalchemy_url  # noqa: E402
from cloud.users.models import User  # noqa: E402
from cloud.web.sessions import WebSessionService  # noqa: E402

PATIENTS = 50
DAYS = 90
REQUESTS = 400
CLIENTS = 4
# One client in this process, one request at a time: the server's own time per page, which
# the load of the machine (shared with other work) distorts far less than 4 clients over HTTP.
IN_PROCESS_REQUESTS = 150
TARGET_P95_MS = 100
NOW = datetime.now(UTC)
TODAY = NOW.date()
CAREGIVER = uuid.uuid4()

SEED_SQL = """
INSERT INTO users (id, email, full_name, role, password_hash)
VALUES (%(caregiver)s, 'nurse@bench.test', 'Nina Nurse', 'caregiver', 'x');

INSERT INTO caregivers (id, user_id) VALUES (gen_random_uuid(), %(caregiver)s);

INSERT INTO patients (id, full_name, timezone)
SELECT gen_random_uuid(), 'Patient ' || p, 'Europe/Berlin'
FROM generate_series(1, %(patients)s) AS p;

INSERT INTO patient_caregiver (id, patient_id, caregiver_id)
SELECT gen_random_uuid(), p.id, c.id FROM patients p CROSS JOIN caregivers c;

INSERT INTO devices (id, device_id, patient_id, name, online, last_seen_at, plan_version_applied,
    software_version, clock_offset_s)
SELECT gen_random_uuid(), 'bench-' || row_number() OVER (ORDER BY id), id, 'Bedside',
       random() < 0.9, now() - random() * interval '2 hours', 1, '1.0.0', 0.2
FROM patients;

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

INSERT INTO alert_logs (id, patient_id, alert_type, level, status, source, message, raised_at,
    escalation_step, resolved_at)
SELECT gen_random_uuid(), o.patient_id, 'missed_dose', 'warning',
       CASE WHEN o.local_date < %(today)s::date - 2 THEN 'resolved' ELSE 'open' END, 'device',
       'Missed ' || o.medication_name || ' at ' || o.slot, o.missed_after, 0,
       CASE WHEN o.local_date < %(today)s::date - 2 THEN o.missed_after + interval '1 hour' END
FROM dose_occurrences o WHERE o.status = 'missed' AND o.local_date >= %(today)s::date - 20;

INSERT INTO symptom_logs (id, patient_id, reported_at, symptom, severity)
SELECT gen_random_uuid(), p.id, (d::date + time '10:30') AT TIME ZONE 'Europe/Berlin', 'headache',
       (ARRAY['mild', 'moderate', 'severe'])[1 + (extract(day FROM d)::int %% 3)]
FROM patients p
CROSS JOIN generate_series(%(today)s::date - %(days)s + 1, %(today)s::date, interval '6 days') d;

INSERT INTO medications (id, patient_id, name, quantity_dispensed, dispensed_at, quantity_per_dose)
SELECT gen_random_uuid(), p.id, m.name, 60, now() - interval '20 days', 1
FROM patients p CROSS JOIN (VALUES ('Metformin'), ('Lisinopril')) AS m(name);
"""


def seed(url: str) -> tuple[dict[str, int], list[uuid.UUID]]:
    """Fill the database set-wise; returns row counts and the patient ids."""
    params = {"caregiver": CAREGIVER, "patients": PATIENTS, "today": TODAY, "days": DAYS}
    with psycopg.connect(url, autocommit=True) as conn:
        for statement in SEED_SQL.split(";\n\n"):
            conn.execute(statement, params)  # type: ignore[call-overload]
        conn.execute("VACUUM ANALYZE")
        counts = {}
        for table in ("patients", "dose_occurrences", "alert_logs", "symptom_logs"):
            row = conn.execute(f"SELECT count(*) FROM {table}").fetchone()
            counts[table] = int(row[0]) if row else 0
        patients = [row[0] for row in conn.execute("SELECT id FROM patients").fetchall()]
    return counts, patients


def web_session(url: str) -> str:
    """A signed-in session of the caregiver, as the sign-in page starts it."""
    from sqlalchemy import create_engine

    engine = create_engine(sqlalchemy_url(url))
    with Session(engine) as db:
        user = db.get(User, CAREGIVER)
        assert user is not None
        token = WebSessionService(db).start(user, timedelta(hours=1), NOW)
    engine.dispose()
    return token


async def _get(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, path: str, cookie: str
) -> int:
    """One GET on a keep-alive connection, its whole body read; the body's size in bytes."""
    lines = [f"GET {path} HTTP/1.1", "Host: bench", f"Cookie: medmind_session={cookie}"]
    writer.write(("\r\n".join(lines) + "\r\n\r\n").encode())
    head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
    status_line, *header_lines = head.split("\r\n")
    fields = dict(line.lower().split(": ", 1) for line in header_lines if line)
    body = await reader.readexactly(int(fields["content-length"]))
    if status_line.split(" ", 2)[1] != "200":
        raise RuntimeError(f"{path}: {status_line}")
    return len(body)


def planned_paths(patients: list[uuid.UUID], count: int) -> list[dict[str, str]]:
    """`count` rounds of My patients, a random patient page and the no-op baseline."""
    rng = random.Random(7)
    return [
        {
            "my_patients": "/app/",
            "patient_page": f"/app/patients/{rng.choice(patients)}",
            # No work at all: what the machine and the HTTP stack alone cost right now.
            "healthz_baseline": "/healthz",
        }
        for _ in range(count)
    ]


def measure_in_process(
    url: str, cookie: str, patients: list[uuid.UUID]
) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    """Wall time and CPU time of this process (the app's, and the test client's few) for each
    page through the ASGI app in this process, one request at a time. The CPU time is what
    a busy machine changes least."""
    from fastapi.testclient import TestClient

    from cloud.app import create_app

    os.environ.setdefault("MEDMIND_MQTT_HOOK_TOKEN", HOOK_TOKEN)
    settings = CloudSettings(
        database_url=url, jwt_secret=JWT_SECRET, environment="production", db_pool_size=4
    )
    samples: dict[str, list[float]] = {}
    cpu: dict[str, list[float]] = {}
    # The app only sets Secure cookies over HTTPS; the session cookie is sent as a header.
    headers = {"Cookie": f"medmind_session={cookie}"}
    with TestClient(create_app(settings)) as client:
        for round_ in planned_paths(patients, IN_PROCESS_REQUESTS + 10):
            for name, path in round_.items():
                started, used = time.perf_counter(), time.process_time()
                client.get(path, headers=headers).raise_for_status()
                samples.setdefault(name, []).append((time.perf_counter() - started) * 1000)
                cpu.setdefault(name, []).append((time.process_time() - used) * 1000)
    # The first rounds warm the app up.
    return (
        {name: values[10:] for name, values in samples.items()},
        {name: values[10:] for name, values in cpu.items()},
    )


def measure(
    base_url: str, cookie: str, patients: list[uuid.UUID]
) -> tuple[dict[str, list[float]], dict[str, int]]:
    """Latency of both pages with CLIENTS concurrent keep-alive connections; page sizes."""
    host, port = base_url.removeprefix("http://").rsplit(":", 1)
    planned = planned_paths(patients, REQUESTS)
    chunks = [planned[i::CLIENTS] for i in range(CLIENTS)]
    sizes: dict[str, int] = {}

    async def run(chunk: list[dict[str, str]], into: dict[str, list[float]]) -> None:
        reader, writer = await asyncio.open_connection(host, int(port))
        try:
            for paths in chunk:
                for name, path in paths.items():
                    started = time.perf_counter()
                    async with asyncio.timeout(30):
                        sizes[name] = await _get(reader, writer, path, cookie)
                    into.setdefault(name, []).append((time.perf_counter() - started) * 1000)
        finally:
            writer.close()

    async def all_clients() -> dict[str, list[float]]:
        await asyncio.gather(*(run(chunk[:5], {}) for chunk in chunks))
        samples: dict[str, list[float]] = {}
        await asyncio.gather(*(run(chunk, samples) for chunk in chunks))
        return samples

    return asyncio.run(all_clients()), sizes


def main() -> None:
    """Seed, measure over HTTP, print the figures and one JSON line."""
    with admin_url() as admin, scratch_database(admin) as url:
        started = time.perf_counter()
        migrate.upgrade(url)
        counts, patients = seed(url)
        print(f"seeded {counts} in {time.perf_counter() - started:.1f} s")
        cookie = web_session(url)
        local, local_cpu = measure_in_process(url, cookie, patients)
        with uvicorn_server(url) as base_url:
            samples, sizes = measure(base_url, cookie, patients)
        load = os.getloadavg()[0]
    print(f"in process ({IN_PROCESS_REQUESTS} requests per page, one client):")
    local_stats = {}
    for name, values in local.items():
        p50, p95 = percentile(values, 0.5), percentile(values, 0.95)
        cpu50 = percentile(local_cpu[name], 0.5)
        local_stats[name] = {"p50": round(p50, 1), "p95": round(p95, 1), "cpu": round(cpu50, 1)}
        print(
            f"  {name:14} n={len(values):4} p50={p50:6.1f} ms  p95={p95:6.1f} ms"
            f"  CPU p50={cpu50:5.1f} ms"
        )
    print(f"over HTTP ({REQUESTS} requests per page, {CLIENTS} clients):")
    stats = {}
    for name, values in samples.items():
        p50, p95 = percentile(values, 0.5), percentile(values, 0.95)
        stats[name] = {"p50": round(p50, 1), "p95": round(p95, 1)}
        kb = sizes[name] / 1024
        print(f"  {name:14} n={len(values):4} p50={p50:6.1f} ms  p95={p95:6.1f} ms  {kb:6.1f} kB")
    print(f"1-minute load average at the end: {load:.1f} ({os.cpu_count()} cores)")
    result = {
        "patients": PATIENTS,
        "days": DAYS,
        "http_clients": CLIENTS,
        "my_patients_p50_ms": stats["my_patients"]["p50"],
        "my_patients_p95_ms": stats["my_patients"]["p95"],
        "patient_page_p50_ms": stats["patient_page"]["p50"],
        "patient_page_p95_ms": stats["patient_page"]["p95"],
        "healthz_baseline_p95_ms": stats["healthz_baseline"]["p95"],
        "in_process_my_patients_p95_ms": local_stats["my_patients"]["p95"],
        "in_process_patient_page_p95_ms": local_stats["patient_page"]["p95"],
        "in_process_my_patients_cpu_ms": local_stats["my_patients"]["cpu"],
        "in_process_patient_page_cpu_ms": local_stats["patient_page"]["cpu"],
        "my_patients_kb": round(sizes["my_patients"] / 1024, 1),
        "patient_page_kb": round(sizes["patient_page"] / 1024, 1),
        "page_kb": round(max(sizes["my_patients"], sizes["patient_page"]) / 1024, 1),
        "target_p95_ms": TARGET_P95_MS,
        "load_average_1m": round(load, 1),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
