"""When a stored summary no longer holds: the one staleness rule, and the statements that apply it.

The rule: a day's summary is stale when a fact of that local day (a dose decision, by its
occurrence's day; a symptom or an alert, by the local day it happened) reached the cloud after
the summary was computed; a week is stale when one of its days is, or changed after the week was
computed. Stale rows are recomputed by the `stale-summaries` job.

Writers that know which days they touch (ingest, a person's decision) mark them at once with
`mark_days_stale`; the job's sweep `mark_late_facts` catches every other late fact by comparing
the facts' arrival (`created_at`) with the summaries' `computed_at`. Both are the database
server's clock, so a simulator's virtual clock never hides a late fact.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date, timedelta

from sqlalchemy import text
from sqlalchemy.orm import Session

from cloud.ingest.bulk import run_setwise

# Rows are locked in id order (the sub-selects) so two writers marking the same summaries
# cannot deadlock.
_MARK_DAYS = """
    WITH days AS (
        SELECT * FROM unnest(%b::uuid[], %b::date[], %b::date[]) AS d(patient_id, day, week)
    ),
    daily AS (
        UPDATE daily_patient_summaries AS s SET stale = true, updated_at = now()
        FROM (
            SELECT t.id FROM daily_patient_summaries AS t
            JOIN days ON t.patient_id = days.patient_id AND t.summary_date = days.day
            WHERE NOT t.stale ORDER BY t.id FOR NO KEY UPDATE OF t
        ) AS locked
        WHERE s.id = locked.id
    )
    UPDATE weekly_patient_summaries AS s SET stale = true, updated_at = now()
    FROM (
        SELECT t.id FROM weekly_patient_summaries AS t
        JOIN days ON t.patient_id = days.patient_id AND t.week_start = days.week
        WHERE NOT t.stale ORDER BY t.id FOR NO KEY UPDATE OF t
    ) AS locked
    WHERE s.id = locked.id
"""

_MARK_LATE_DAYS = text(
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

_MARK_WEEKS = text(
    """
UPDATE weekly_patient_summaries w SET stale = true, updated_at = now()
WHERE NOT w.stale AND EXISTS (
    SELECT 1 FROM daily_patient_summaries d
    WHERE d.patient_id = w.patient_id
      AND d.summary_date BETWEEN w.week_start AND w.week_start + 6
      AND (d.stale OR d.computed_at > w.computed_at))
"""
)


def mark_days_stale(db: Session, days: Iterable[tuple[uuid.UUID, date]]) -> None:
    """Facts of these (patient, local day) pairs just arrived: their days and weeks are stale."""
    ordered = sorted(set(days))
    if not ordered:
        return
    run_setwise(
        db,
        _MARK_DAYS,
        [
            [patient for patient, _ in ordered],
            [day for _, day in ordered],
            [day - timedelta(days=day.weekday()) for _, day in ordered],
        ],
    )


def mark_weeks_stale(db: Session) -> int:
    """Mark the weeks whose days are stale or changed since; how many."""
    return _rowcount(db.execute(_MARK_WEEKS))


def mark_late_facts(db: Session, scan_days: int) -> tuple[int, int]:
    """The sweep: mark days (then weeks) whose facts, arrived in the last `scan_days` days,
    arrived after the day was computed; (days, weeks) marked."""
    days = _rowcount(db.execute(_MARK_LATE_DAYS, {"scan_days": scan_days}))
    return days, mark_weeks_stale(db)


def _rowcount(result: object) -> int:
    return int(getattr(result, "rowcount", 0) or 0)
