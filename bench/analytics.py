"""Benchmark: daily and weekly summaries for 10,000 patients x 30 days of dose occurrences.

Generates the history set-wise with generate_series in a fresh database (on the server of
MEDMIND_DATABASE_URL, or the embedded PostgreSQL), then times the horizon job's daily run (one
new day for every patient's current plan) and its re-run (nothing to do), one daily-summary
run for all patients (target <= 5 s), a re-run of it (nothing changes), the weekly run, the
insights and one escalation pass (missed doses of the last 48 hours become alerts) and its
re-run.
The last line printed is one JSON object with the figures.

    .venv/bin/python bench/analytics.py [--patients 10000] [--days 30]
"""

from __future__ import annotations

import argparse
import json
import time
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import psycopg
from sqlalchemy.orm import Session

from cloud.analytics.service import AnalyticsService
from cloud.config import CloudSettings
from cloud.db import migrate
from cloud.db.engine import (
    database_url,
    libpq_url,
    make_engine,
    make_session_factory,
    with_database,
)
from cloud.doses.expansion import HORIZON_DAYS, OccurrenceExpander
from cloud.escalation.service import EscalationService

LAST_DAY = date(2026, 11, 20)

GENERATE = [
    """
    INSERT INTO patients (id, full_name, timezone)
    SELECT gen_random_uuid(), 'Bench patient ' || g,
        (ARRAY['Europe/Berlin', 'America/New_York', 'Asia/Tokyo', 'UTC'])[1 + mod(g, 4)]
    FROM generate_series(1, %(patients)s) g
    """,
    """
    INSERT INTO dose_occurrences (id, patient_id, plan_id, plan_version, item_id,
        medication_name, dose, unit, local_date, slot, due_at, on_time_until, missed_after,
        status, decided_at, source)
    SELECT gen_random_uuid(), p.id, p.id, 1, p.id, 'Medication ' || s.n, 1, 'tablet',
        d::date, s.slot, due, due + interval '15 minutes', due + interval '120 minutes',
        st.status,
        CASE st.status WHEN 'pending' THEN NULL
            WHEN 'late' THEN due + interval '40 minutes'
            WHEN 'missed' THEN due + interval '120 minutes'
            ELSE due + interval '5 minutes' END,
        CASE st.status WHEN 'pending' THEN NULL WHEN 'missed' THEN 'timeout'
            ELSE 'button' END
    FROM patients p
    CROSS JOIN generate_series(%(first)s::date, %(last)s::date, interval '1 day') d
    CROSS JOIN (VALUES (1, '08:00'), (2, '14:00'), (3, '20:00')) s(n, slot)
    CROSS JOIN LATERAL (
        SELECT (d::date + s.slot::time) AT TIME ZONE p.timezone AS due, random() AS r
    ) t
    CROSS JOIN LATERAL (
        SELECT CASE WHEN t.r < 0.80 THEN 'on_time' WHEN t.r < 0.88 THEN 'late'
                    WHEN t.r < 0.95 THEN 'missed' WHEN t.r < 0.98 THEN 'skipped'
                    ELSE 'pending' END AS status
    ) st
    """,
    """
    INSERT INTO symptom_logs (id, patient_id, reported_at, symptom)
    SELECT gen_random_uuid(), p.id,
        (d::date + time '10:30') AT TIME ZONE p.timezone, 'headache'
    FROM patients p
    CROSS JOIN generate_series(%(first)s::date, %(last)s::date, interval '5 days') d
    """,
    """
    INSERT INTO alert_logs (id, patient_id, alert_type, level, status, source, message,
        raised_at, cause_key)
    SELECT gen_random_uuid(), o.patient_id, 'missed_dose', 'warning', 'resolved', 'device',
        'missed', o.missed_after, 'missed_dose:' || o.id
    FROM dose_occurrences o WHERE o.status = 'missed' AND o.local_date > %(last)s::date - 7
    """,
    # Every patient's current plan, expanded until yesterday's horizon: the horizon job's
    # daily run has one new day per plan to write.
    """
    INSERT INTO medication_plans (id, patient_id, plan_id, version, timezone, is_current,
        issued_at, expanded_through)
    SELECT p.id, p.id, p.id, 1, p.timezone, true, %(first)s::date,
        (CAST(%(now)s AS timestamptz) AT TIME ZONE p.timezone)::date + %(horizon)s - 1
    FROM patients p
    """,
    """
    INSERT INTO medication_plan_items (id, plan_version_id, item_id, position, medication_name,
        dose, unit, times_of_day, days_of_week, start_date)
    SELECT gen_random_uuid(), mp.id, mp.id, 0, 'Medication', 1, 'tablet',
        ARRAY['08:00', '14:00', '20:00'], '{}', %(first)s::date
    FROM medication_plans mp
    """,
    "ANALYZE",
]


def _timed(work: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = work()
    return round(time.perf_counter() - started, 3), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=30)
    args = parser.parse_args()

    settings = CloudSettings()
    admin_url = libpq_url(database_url(settings))
    name = f"medmind_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = with_database(admin_url, name)
    try:
        migrate.upgrade(url)
        first = LAST_DAY - timedelta(days=args.days - 1)
        now = datetime.combine(LAST_DAY + timedelta(days=2), datetime.min.time(), tzinfo=UTC)
        params = {
            "patients": args.patients,
            "first": first,
            "last": LAST_DAY,
            "now": now,
            "horizon": HORIZON_DAYS,
        }
        with psycopg.connect(url, autocommit=True) as conn:
            generate_s, _ = _timed(lambda: [conn.execute(sql, params) for sql in GENERATE])
            occurrences = conn.execute("SELECT count(*) FROM dose_occurrences").fetchone()
        engine = make_engine(settings, url)
        with make_session_factory(engine)() as db:
            figures = _run(db, first, now, args.patients)
        engine.dispose()
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    figures.update(
        patients=args.patients,
        days=args.days,
        occurrences=occurrences[0] if occurrences else 0,
        generate_s=generate_s,
    )
    for key, value in figures.items():
        print(f"{key:>20}: {value}")
    print(json.dumps(figures, sort_keys=True))


def _horizon(db: Session, now: datetime) -> tuple[int, int]:
    extended = OccurrenceExpander(db).extend_horizon(now)
    db.commit()
    return extended


def _run(db: Session, first: date, now: datetime, patients: int) -> dict[str, Any]:
    horizon_s, (plans, written) = _timed(lambda: _horizon(db, now))
    assert plans == patients, f"expected {patients} plans extended, got {plans}"
    horizon_rerun_s, again_extended = _timed(lambda: _horizon(db, now + timedelta(minutes=1)))
    assert again_extended == (0, 0), "a re-run extended plans again"
    service = AnalyticsService(db)
    daily_s, rows = _timed(lambda: service.daily_summaries(LAST_DAY, now=now))
    assert rows == patients, f"expected {patients} daily rows, got {rows}"
    rerun_s, unchanged = _timed(lambda: service.daily_summaries(LAST_DAY, now=now))
    assert unchanged == 0, f"a re-run changed {unchanged} rows"
    history_s, _ = _timed(
        lambda: [
            service.daily_summaries(first + timedelta(days=n), now=now)
            for n in range((LAST_DAY - first).days)
        ]
    )
    weekly_s, weeks = _timed(
        lambda: service.weekly_summaries(LAST_DAY - timedelta(days=7), now=now)
    )
    assert weeks == patients, f"expected {patients} weekly rows, got {weeks}"
    insights_s, found = _timed(lambda: service.insights(LAST_DAY, now=now))
    escalation = EscalationService(db)
    escalations_s, raised = _timed(lambda: escalation.run(now))
    escalations_rerun_s, again = _timed(lambda: escalation.run(now + timedelta(minutes=1)))
    assert again.missed_raised == 0, "a re-run raised the same alerts again"
    return {
        "horizon_s": horizon_s,
        "horizon_occurrences": written,
        "horizon_rerun_s": horizon_rerun_s,
        "daily_s": daily_s,
        "daily_rerun_s": rerun_s,
        "daily_other_days_s": history_s,
        "weekly_s": weekly_s,
        "insights_s": insights_s,
        "insights_rows": sum(found.values()),
        "escalations_s": escalations_s,
        "escalations_rerun_s": escalations_rerun_s,
        "alerts_raised": raised.missed_raised + raised.overdue_raised,
    }


if __name__ == "__main__":
    main()
