"""Daily and weekly adherence summaries, one INSERT ... SELECT ... ON CONFLICT per run.

Figures of a day (local date in the patient's zone), over scheduled doses (as-needed excluded):

* scheduled, on_time, late, missed, skipped, pending: occurrences by status;
* adherence_pct = taken (on time + late) / scheduled; a skipped or still-pending dose is not
  taken, so the figure never flatters; on_time_pct = on time / scheduled;
* mean_minutes_late: mean of (decided_at - due_at) over the doses taken late;
* as_needed_doses: as-needed doses taken that day; symptoms and alerts: reported / raised
  within the local day.

A week (Monday..Sunday) adds up its days. A run only rewrites a row whose figures changed (or
that was stale), so running it again for the same period changes nothing, and `computed_at`
says when the figures last changed.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import text
from sqlalchemy.orm import Session

from cloud.analytics.periods import day_end, day_start

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
              AND NOT s.stale))
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
    SELECT t.patient_id, t.summary_date,
        count(*) FILTER (WHERE NOT o.as_needed) AS scheduled,
        count(*) FILTER (WHERE NOT o.as_needed AND o.status = 'on_time') AS on_time,
        count(*) FILTER (WHERE NOT o.as_needed AND o.status = 'late') AS late,
        count(*) FILTER (WHERE NOT o.as_needed AND o.status = 'missed') AS missed,
        count(*) FILTER (WHERE NOT o.as_needed AND o.status = 'skipped') AS skipped,
        count(*) FILTER (WHERE NOT o.as_needed AND o.status = 'pending') AS pending,
        avg(extract(epoch FROM o.decided_at - o.due_at) / 60.0)
            FILTER (WHERE NOT o.as_needed AND o.status = 'late') AS mean_minutes_late,
        count(*) FILTER (WHERE o.as_needed AND o.status IN ('on_time', 'late')) AS as_needed_doses
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
    round(100.0 * (d.on_time + d.late) / nullif(d.scheduled, 0), 1)::float8,
    round(100.0 * d.on_time / nullif(d.scheduled, 0), 1)::float8,
    round(d.mean_minutes_late, 1)::float8,
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
              AND NOT w.stale))
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
days AS (
    SELECT t.patient_id, t.week_start,
        sum(d.scheduled) AS scheduled, sum(d.on_time) AS on_time, sum(d.late) AS late,
        sum(d.missed) AS missed, sum(d.skipped) AS skipped, sum(d.pending) AS pending,
        sum(d.mean_minutes_late * d.late) / nullif(sum(d.late) FILTER (
            WHERE d.mean_minutes_late IS NOT NULL), 0) AS mean_minutes_late,
        sum(d.as_needed_doses) AS as_needed_doses, sum(d.symptoms) AS symptoms,
        sum(d.alerts) AS alerts
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
    round(100.0 * (d.on_time + d.late) / nullif(d.scheduled, 0), 1)::float8,
    round(100.0 * d.on_time / nullif(d.scheduled, 0), 1)::float8,
    round(d.mean_minutes_late::numeric, 1)::float8,
    coalesce(d.as_needed_doses, 0), coalesce(d.symptoms, 0), coalesce(d.alerts, 0),
    false, now()
FROM targets t
LEFT JOIN days d ON d.patient_id = t.patient_id AND d.week_start = t.week_start
ON CONFLICT (patient_id, week_start) DO UPDATE SET
    {assignments}, stale = false, computed_at = excluded.computed_at, updated_at = now()
WHERE cur.stale OR ({current}) IS DISTINCT FROM ({excluded})
"""


def _upsert(template: str, targets: str) -> str:
    return template.format(
        targets=targets.strip(),
        assignments=", ".join(f"{name} = excluded.{name}" for name in FIGURES),
        current=", ".join(f"cur.{name}" for name in FIGURES),
        excluded=", ".join(f"excluded.{name}" for name in FIGURES),
    )


DAILY_FOR_DATE = text(_upsert(_DAILY_UPSERT, _DAY_TARGETS))
DAILY_STALE = text(_upsert(_DAILY_UPSERT, _STALE_DAY_TARGETS))
WEEKLY_FOR_WEEK = text(_upsert(_WEEKLY_UPSERT, _WEEK_TARGETS))
WEEKLY_STALE = text(_upsert(_WEEKLY_UPSERT, _STALE_WEEK_TARGETS))

# Facts that reached the cloud after a day's summary was computed make that day stale: dose
# events by the day of their occurrence, symptoms and alerts by the local day they happened.
# Arrival is the row's created_at: the server's clock, like computed_at and the scan window,
# so a simulator's virtual clock never hides a late fact.
MARK_DAILY_STALE = text(
    """
UPDATE daily_patient_summaries s SET stale = true, updated_at = now()
FROM (
    SELECT o.patient_id, o.local_date AS day, max(e.created_at) AS arrived_at
    FROM dose_event_logs e JOIN dose_occurrences o ON o.id = e.occurrence_id
    WHERE e.created_at > now() - make_interval(days => :scan_days)
    GROUP BY o.patient_id, o.local_date
    UNION ALL
    SELECT sl.patient_id, (sl.reported_at AT TIME ZONE p.timezone)::date, max(sl.created_at)
    FROM symptom_logs sl JOIN patients p ON p.id = sl.patient_id
    WHERE sl.created_at > now() - make_interval(days => :scan_days)
    GROUP BY sl.patient_id, 2
    UNION ALL
    SELECT a.patient_id, (a.raised_at AT TIME ZONE p.timezone)::date, max(a.created_at)
    FROM alert_logs a JOIN patients p ON p.id = a.patient_id
    WHERE a.created_at > now() - make_interval(days => :scan_days)
    GROUP BY a.patient_id, 2
) arrived
WHERE s.patient_id = arrived.patient_id AND s.summary_date = arrived.day
  AND arrived.arrived_at > s.computed_at AND NOT s.stale
"""
)

# A week is stale when one of its days is, or when a day changed after the week was computed.
MARK_WEEKLY_STALE = text(
    """
UPDATE weekly_patient_summaries w SET stale = true, updated_at = now()
WHERE NOT w.stale AND EXISTS (
    SELECT 1 FROM daily_patient_summaries d
    WHERE d.patient_id = w.patient_id
      AND d.summary_date BETWEEN w.week_start AND w.week_start + 6
      AND (d.stale OR d.computed_at > w.computed_at))
"""
)


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


def mark_stale(db: Session, scan_days: int) -> tuple[int, int]:
    """Mark days (then weeks) stale where facts that arrived in the last `scan_days` days
    (server clock) arrived after the day was computed."""
    days = _rowcount(db.execute(MARK_DAILY_STALE, {"scan_days": scan_days}))
    weeks = _rowcount(db.execute(MARK_WEEKLY_STALE))
    return days, weeks


def recompute_stale(db: Session) -> tuple[int, int]:
    """Recompute every stale day, then every stale week; rows recomputed."""
    days = _rowcount(db.execute(DAILY_STALE))
    db.execute(MARK_WEEKLY_STALE)
    weeks = _rowcount(db.execute(WEEKLY_STALE))
    return days, weeks


def _rowcount(result: object) -> int:
    return int(getattr(result, "rowcount", 0) or 0)
