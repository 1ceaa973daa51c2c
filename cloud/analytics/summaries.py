"""Daily and weekly adherence summaries, one INSERT ... SELECT ... ON CONFLICT per run.

Figures of a day (local date in the patient's zone), over scheduled doses (as-needed excluded):

* scheduled, on_time, late, missed, skipped, pending, adherence_pct, on_time_pct,
  mean_minutes_late: as `cloud.doses.adherence` defines them (the one definition the live
  endpoint, insights and reports share), as of the run's `now`;
* as_needed_doses: as-needed doses taken that day; symptoms and alerts: reported / raised
  within the local day.

A week (Monday..Sunday) has the same dose figures over its seven days, and adds up its days'
symptoms and alerts. A run only rewrites a row whose figures changed (or that was stale), so
running it again for the same period changes nothing, and `computed_at` says when the figures
last changed. A row that still holds doses whose window was open is not fresh: the next run
recomputes it, so a silent device's late-evening dose turns missed once its window closes.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import text
from sqlalchemy.orm import Session

from cloud.analytics.periods import day_end, day_start
from cloud.doses.adherence import adherence_pct_sql, dose_counts_sql, on_time_pct_sql
from cloud.summaries.staleness import mark_weeks_stale

FIGURES = (
    "scheduled",
    "on_time",
    "late",
    "missed",
    "skipped",
    "pending",
    "adherence_pct",
    "on_time_pct",
    "mean_minutes_late",
    "as_needed_doses",
    "symptoms",
    "alerts",
)

# Targets: (patient_id, summary_date, day_start, day_end) for one date, every patient with
# something on that date; optionally only where the local day has ended / has no fresh row.
_DAY_TARGETS = f"""
bounds AS (
    SELECT p.id AS patient_id, CAST(:day AS date) AS summary_date,
           {day_start("CAST(:day AS date)")} AS day_start,
           {day_end("CAST(:day AS date)")} AS day_end
    FROM patients p
),
targets AS (
    SELECT b.* FROM bounds b
    WHERE (NOT :only_ended OR b.day_end <= :now)
      AND (NOT :only_missing OR NOT EXISTS (
            SELECT 1 FROM daily_patient_summaries s
            WHERE s.patient_id = b.patient_id AND s.summary_date = b.summary_date
              AND NOT s.stale AND s.pending = 0))
      AND (EXISTS (SELECT 1 FROM dose_occurrences o
                   WHERE o.patient_id = b.patient_id AND o.local_date = b.summary_date)
           OR EXISTS (SELECT 1 FROM symptom_logs sl WHERE sl.patient_id = b.patient_id
                      AND sl.reported_at >= b.day_start AND sl.reported_at < b.day_end)
           OR EXISTS (SELECT 1 FROM alert_logs a WHERE a.patient_id = b.patient_id
                      AND a.raised_at >= b.day_start AND a.raised_at < b.day_end))
)"""

_STALE_DAY_TARGETS = f"""
targets AS (
    SELECT s.patient_id, s.summary_date,
           {day_start("s.summary_date")} AS day_start,
           {day_end("s.summary_date")} AS day_end
    FROM daily_patient_summaries s JOIN patients p ON p.id = s.patient_id
    WHERE s.stale
)"""

_DAILY_UPSERT = """
WITH {targets},
doses AS (
    SELECT t.patient_id, t.summary_date, {dose_counts}
    FROM targets t
    JOIN dose_occurrences o ON o.patient_id = t.patient_id AND o.local_date = t.summary_date
    GROUP BY t.patient_id, t.summary_date
),
symptoms AS (
    SELECT t.patient_id, t.summary_date, count(*) AS n
    FROM targets t JOIN symptom_logs sl ON sl.patient_id = t.patient_id
     AND sl.reported_at >= t.day_start AND sl.reported_at < t.day_end
    GROUP BY t.patient_id, t.summary_date
),
alerts AS (
    SELECT t.patient_id, t.summary_date, count(*) AS n
    FROM targets t JOIN alert_logs a ON a.patient_id = t.patient_id
     AND a.raised_at >= t.day_start AND a.raised_at < t.day_end
    GROUP BY t.patient_id, t.summary_date
)
INSERT INTO daily_patient_summaries AS cur (
    patient_id, summary_date, scheduled, on_time, late, missed, skipped, pending,
    adherence_pct, on_time_pct, mean_minutes_late, as_needed_doses, symptoms, alerts,
    stale, computed_at)
SELECT t.patient_id, t.summary_date,
    coalesce(d.scheduled, 0), coalesce(d.on_time, 0), coalesce(d.late, 0),
    coalesce(d.missed, 0), coalesce(d.skipped, 0), coalesce(d.pending, 0),
    {adherence_pct}, {on_time_pct},
    round(d.late_minutes_total / nullif(d.late, 0), 1)::float8,
    coalesce(d.as_needed_doses, 0), coalesce(s.n, 0), coalesce(a.n, 0),
    false, now()
FROM targets t
LEFT JOIN doses d ON d.patient_id = t.patient_id AND d.summary_date = t.summary_date
LEFT JOIN symptoms s ON s.patient_id = t.patient_id AND s.summary_date = t.summary_date
LEFT JOIN alerts a ON a.patient_id = t.patient_id AND a.summary_date = t.summary_date
ON CONFLICT (patient_id, summary_date) DO UPDATE SET
    {assignments}, stale = false, computed_at = excluded.computed_at, updated_at = now()
WHERE cur.stale OR ({current}) IS DISTINCT FROM ({excluded})
"""

_WEEK_TARGETS = """
targets AS (
    SELECT p.id AS patient_id, CAST(:week_start AS date) AS week_start
    FROM patients p
    WHERE (NOT :only_ended
           OR ((CAST(:week_start AS date) + 7)::timestamp AT TIME ZONE p.timezone) <= :now)
      AND (NOT :only_missing OR NOT EXISTS (
            SELECT 1 FROM weekly_patient_summaries w
            WHERE w.patient_id = p.id AND w.week_start = CAST(:week_start AS date)
              AND NOT w.stale AND w.pending = 0))
      AND EXISTS (SELECT 1 FROM daily_patient_summaries d WHERE d.patient_id = p.id
                  AND d.summary_date BETWEEN CAST(:week_start AS date)
                                         AND CAST(:week_start AS date) + 6)
)"""

_STALE_WEEK_TARGETS = """
targets AS (
    SELECT w.patient_id, w.week_start FROM weekly_patient_summaries w WHERE w.stale
)"""

_WEEKLY_UPSERT = """
WITH {targets},
doses AS (
    SELECT t.patient_id, t.week_start, {dose_counts}
    FROM targets t JOIN dose_occurrences o ON o.patient_id = t.patient_id
     AND o.local_date BETWEEN t.week_start AND t.week_start + 6
    GROUP BY t.patient_id, t.week_start
),
days AS (
    SELECT t.patient_id, t.week_start, sum(d.symptoms) AS symptoms, sum(d.alerts) AS alerts
    FROM targets t JOIN daily_patient_summaries d ON d.patient_id = t.patient_id
     AND d.summary_date BETWEEN t.week_start AND t.week_start + 6
    GROUP BY t.patient_id, t.week_start
)
INSERT INTO weekly_patient_summaries AS cur (
    patient_id, week_start, scheduled, on_time, late, missed, skipped, pending,
    adherence_pct, on_time_pct, mean_minutes_late, as_needed_doses, symptoms, alerts,
    stale, computed_at)
SELECT t.patient_id, t.week_start,
    coalesce(d.scheduled, 0), coalesce(d.on_time, 0), coalesce(d.late, 0),
    coalesce(d.missed, 0), coalesce(d.skipped, 0), coalesce(d.pending, 0),
    {adherence_pct}, {on_time_pct},
    round(d.late_minutes_total / nullif(d.late, 0), 1)::float8,
    coalesce(d.as_needed_doses, 0), coalesce(w.symptoms, 0), coalesce(w.alerts, 0),
    false, now()
FROM targets t
LEFT JOIN doses d ON d.patient_id = t.patient_id AND d.week_start = t.week_start
LEFT JOIN days w ON w.patient_id = t.patient_id AND w.week_start = t.week_start
ON CONFLICT (patient_id, week_start) DO UPDATE SET
    {assignments}, stale = false, computed_at = excluded.computed_at, updated_at = now()
WHERE cur.stale OR ({current}) IS DISTINCT FROM ({excluded})
"""


def _upsert(template: str, targets: str) -> str:
    return template.format(
        targets=targets.strip(),
        dose_counts=dose_counts_sql("o", "CAST(:now AS timestamptz)"),
        adherence_pct=adherence_pct_sql("d.on_time", "d.late", "d.scheduled", "d.pending"),
        on_time_pct=on_time_pct_sql("d.on_time", "d.scheduled", "d.pending"),
        assignments=", ".join(f"{name} = excluded.{name}" for name in FIGURES),
        current=", ".join(f"cur.{name}" for name in FIGURES),
        excluded=", ".join(f"excluded.{name}" for name in FIGURES),
    )


DAILY_FOR_DATE = text(_upsert(_DAILY_UPSERT, _DAY_TARGETS))
DAILY_STALE = text(_upsert(_DAILY_UPSERT, _STALE_DAY_TARGETS))
WEEKLY_FOR_WEEK = text(_upsert(_WEEKLY_UPSERT, _WEEK_TARGETS))
WEEKLY_STALE = text(_upsert(_WEEKLY_UPSERT, _STALE_WEEK_TARGETS))


def upsert_daily(
    db: Session, day: date, *, now: datetime, only_ended: bool = False, only_missing: bool = False
) -> int:
    """Compute the summaries of local `day` for every patient with data; rows changed."""
    params = {"day": day, "now": now, "only_ended": only_ended, "only_missing": only_missing}
    return _rowcount(db.execute(DAILY_FOR_DATE, params))


def upsert_weekly(
    db: Session,
    week_start: date,
    *,
    now: datetime,
    only_ended: bool = False,
    only_missing: bool = False,
) -> int:
    """Compute the summaries of the week starting Monday `week_start`; rows changed."""
    params = {
        "week_start": week_start,
        "now": now,
        "only_ended": only_ended,
        "only_missing": only_missing,
    }
    return _rowcount(db.execute(WEEKLY_FOR_WEEK, params))


def recompute_stale(db: Session, now: datetime) -> tuple[int, int]:
    """Recompute every stale day, then every stale week, as of `now`; rows recomputed."""
    days = _rowcount(db.execute(DAILY_STALE, {"now": now}))
    mark_weeks_stale(db)
    weeks = _rowcount(db.execute(WEEKLY_STALE, {"now": now}))
    return days, weeks


def _rowcount(result: object) -> int:
    return int(getattr(result, "rowcount", 0) or 0)
