"""Insights: patterns in a patient's recent history, each with a severity and its evidence.

Every kind is one statement over all patients whose local day `day` has ended: it upserts the
insight where the pattern holds and deletes a stored one for the same period where it no longer
does (late data can undo a pattern). Re-running for the same day changes nothing.

* adherence_drop: adherence (as `cloud.doses.adherence` defines it) of the last 7 days fell by
  `adherence_drop_points` or more from the 7 days before (from the daily summaries);
* slot_trouble: a time of day whose doses were late or missed on `slot_trouble_days` of the
  last 7 days;
* repeated_symptom: the same symptom reported `repeated_symptom_count`+ times in 7 days, with
  the medications started up to `new_medication_days` before its first report;
* device_offline: `offline_periods`+ gaps longer than `offline_gap_minutes` between heartbeats
  in the last 7 days;
* refill_forecast: stock, daily use and days of supply of every tracked medication.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import TextClause, text
from sqlalchemy.orm import Session

from cloud.analytics.periods import day_end, day_start
from cloud.analytics.settings import AnalyticsSettings
from cloud.analytics.stock import STOCK_CTE
from cloud.doses.adherence import pct_sql

D = "CAST(:day AS date)"

_TARGETS = f"""
targets AS (
    SELECT p.id AS patient_id, p.timezone FROM patients p
    WHERE NOT :only_ended OR {day_end(D)} <= :now
)"""

_UPSERT = """
WITH {targets},
{ctes},
removed AS (
    DELETE FROM health_insights h USING targets t
    WHERE h.patient_id = t.patient_id AND h.kind = :kind
      AND h.period_start = :period_start AND h.period_end = :period_end
      AND NOT EXISTS (SELECT 1 FROM new n WHERE n.patient_id = h.patient_id)
    RETURNING h.id
)
INSERT INTO health_insights AS cur
    (patient_id, kind, severity, title, detail, evidence, period_start, period_end)
SELECT n.patient_id, :kind, n.severity, n.title, n.detail, n.evidence, :period_start, :period_end
FROM new n
ON CONFLICT (patient_id, kind, period_start, period_end) DO UPDATE SET
    severity = excluded.severity, title = excluded.title, detail = excluded.detail,
    evidence = excluded.evidence, updated_at = now()
WHERE (cur.severity, cur.title, cur.detail, cur.evidence)
      IS DISTINCT FROM (excluded.severity, excluded.title, excluded.detail, excluded.evidence)
"""

_ADHERENCE_DROP = f"""
windows AS (
    SELECT d.patient_id,
        sum(d.on_time + d.late) FILTER (WHERE d.summary_date > {D} - 7) AS cur_taken,
        sum(d.scheduled) FILTER (WHERE d.summary_date > {D} - 7) AS cur_scheduled,
        sum(d.pending) FILTER (WHERE d.summary_date > {D} - 7) AS cur_pending,
        sum(d.on_time + d.late) FILTER (WHERE d.summary_date <= {D} - 7) AS prev_taken,
        sum(d.scheduled) FILTER (WHERE d.summary_date <= {D} - 7) AS prev_scheduled,
        sum(d.pending) FILTER (WHERE d.summary_date <= {D} - 7) AS prev_pending
    FROM daily_patient_summaries d JOIN targets t ON t.patient_id = d.patient_id
    WHERE d.summary_date BETWEEN {D} - 13 AND {D}
    GROUP BY d.patient_id
),
rates AS (
    SELECT w.*, {pct_sql("cur_taken", "cur_scheduled - cur_pending")} AS cur_pct,
        {pct_sql("prev_taken", "prev_scheduled - prev_pending")} AS prev_pct
    FROM windows w
),
new AS (
    SELECT patient_id,
        CASE WHEN prev_pct - cur_pct >= 2 * :drop_points THEN 'critical' ELSE 'warning' END
            AS severity,
        format('Adherence dropped %s points week over week', prev_pct - cur_pct) AS title,
        format('%s%% in the last 7 days (%s of %s doses taken), down from %s%% the 7 days '
               'before (%s of %s).', cur_pct, cur_taken, cur_scheduled, prev_pct, prev_taken,
               prev_scheduled) AS detail,
        jsonb_build_object(
            'current_pct', cur_pct, 'previous_pct', prev_pct, 'drop_points', prev_pct - cur_pct,
            'current_taken', cur_taken, 'current_scheduled', cur_scheduled,
            'previous_taken', prev_taken, 'previous_scheduled', prev_scheduled,
            'current_window', jsonb_build_array({D} - 6, {D}),
            'previous_window', jsonb_build_array({D} - 13, {D} - 7)) AS evidence
    FROM rates WHERE prev_pct - cur_pct >= :drop_points
)"""

_SLOT_TROUBLE = f"""
slot_days AS (
    SELECT o.patient_id, o.slot, o.local_date,
        bool_or(o.status = 'missed') AS missed, bool_or(o.status = 'late') AS late
    FROM dose_occurrences o JOIN targets t ON t.patient_id = o.patient_id
    WHERE o.local_date BETWEEN {D} - 6 AND {D} AND NOT o.as_needed
    GROUP BY o.patient_id, o.slot, o.local_date
),
slots AS (
    SELECT patient_id, slot,
        count(*) FILTER (WHERE missed OR late) AS bad_days,
        count(*) FILTER (WHERE missed) AS missed_days,
        count(*) FILTER (WHERE late AND NOT missed) AS late_days,
        jsonb_agg(local_date ORDER BY local_date) FILTER (WHERE missed OR late) AS dates
    FROM slot_days GROUP BY patient_id, slot
    HAVING count(*) FILTER (WHERE missed OR late) >= :slot_trouble_days
),
new AS (
    SELECT patient_id,
        CASE WHEN max(missed_days) >= :slot_trouble_days THEN 'critical' ELSE 'warning' END
            AS severity,
        CASE WHEN count(*) = 1
            THEN format('The %s dose was late or missed on %s of the last 7 days',
                        min(slot), max(bad_days))
            ELSE format('Doses at %s were late or missed on %s or more of the last 7 days',
                        string_agg(slot, ', ' ORDER BY slot), min(bad_days))
        END AS title,
        string_agg(format('%s: late on %s days, missed on %s days', slot, late_days,
                          missed_days), '; ' ORDER BY slot) AS detail,
        jsonb_build_object(
            'window', jsonb_build_array({D} - 6, {D}),
            'slots', jsonb_agg(jsonb_build_object(
                'slot', slot, 'bad_days', bad_days, 'late_days', late_days,
                'missed_days', missed_days, 'dates', dates) ORDER BY slot)) AS evidence
    FROM slots GROUP BY patient_id
)"""

_REPEATED_SYMPTOM = f"""
reports AS (
    SELECT sl.patient_id, lower(btrim(sl.symptom)) AS symptom, sl.reported_at, sl.severity,
        (sl.reported_at AT TIME ZONE t.timezone)::date AS local_day
    FROM symptom_logs sl JOIN targets t ON t.patient_id = sl.patient_id
    WHERE sl.reported_at >= {day_start(f"{D} - 6", "t.timezone")}
      AND sl.reported_at < {day_end(D, "t.timezone")}
),
repeated AS (
    SELECT patient_id, symptom, count(*) AS n, min(local_day) AS first_day,
        max(local_day) AS last_day, bool_or(severity = 'severe') AS any_severe,
        jsonb_agg(reported_at ORDER BY reported_at) AS reported
    FROM reports GROUP BY patient_id, symptom
    HAVING count(*) >= :repeated_symptom_count
),
item_starts AS (
    SELECT mp.patient_id, pi.item_id, min(pi.medication_name) AS medication,
        min(pi.start_date) AS started
    FROM medication_plan_items pi JOIN medication_plans mp ON mp.id = pi.plan_version_id
    WHERE mp.patient_id IN (SELECT patient_id FROM repeated)
    GROUP BY mp.patient_id, pi.item_id
),
with_meds AS (
    SELECT r.*, (
        SELECT coalesce(jsonb_agg(jsonb_build_object('medication', s.medication,
                                                     'started', s.started)
                                  ORDER BY s.started, s.medication), '[]'::jsonb)
        FROM item_starts s WHERE s.patient_id = r.patient_id
          AND s.started BETWEEN r.first_day - :new_medication_days AND r.first_day
    ) AS started
    FROM repeated r
),
new AS (
    SELECT patient_id,
        CASE WHEN bool_or(any_severe) THEN 'critical' ELSE 'warning' END AS severity,
        CASE WHEN count(*) = 1
            THEN format('%s reported %s times in 7 days', initcap(min(symptom)), max(n))
            ELSE format('%s symptoms reported repeatedly in 7 days', count(*))
        END AS title,
        string_agg(format('%s: %s times%s', symptom, n,
            CASE WHEN jsonb_array_length(started) > 0 THEN ', after starting ' || (
                SELECT string_agg(format('%s on %s', e ->> 'medication', e ->> 'started'), ', ')
                FROM jsonb_array_elements(started) e)
            ELSE '' END), '; ' ORDER BY symptom) AS detail,
        jsonb_build_object(
            'window', jsonb_build_array({D} - 6, {D}),
            'symptoms', jsonb_agg(jsonb_build_object(
                'symptom', symptom, 'count', n, 'first_day', first_day, 'last_day', last_day,
                'reported_at', reported, 'medications_started_before', started)
                ORDER BY symptom)) AS evidence
    FROM with_meds GROUP BY patient_id
)"""

_DEVICE_OFFLINE = f"""
beats AS (
    SELECT dv.patient_id, dv.device_id, h.received_at, t.timezone,
        lag(h.received_at) OVER (PARTITION BY h.device_pk ORDER BY h.received_at) AS previous_at
    FROM device_heartbeats h
    JOIN devices dv ON dv.id = h.device_pk
    JOIN targets t ON t.patient_id = dv.patient_id
    WHERE h.received_at >= {day_start(f"{D} - 7", "t.timezone")}
      AND h.received_at < {day_end(D, "t.timezone")}
),
gaps AS (
    SELECT patient_id, device_id, previous_at AS offline_from, received_at AS back_at,
        round((extract(epoch FROM received_at - previous_at) / 60.0)::numeric, 1) AS minutes
    FROM beats
    WHERE previous_at IS NOT NULL
      AND received_at - previous_at > make_interval(mins => :offline_gap_minutes)
      AND received_at >= {day_start(f"{D} - 6", "timezone")}
),
new AS (
    SELECT patient_id,
        CASE WHEN count(*) >= 2 * :offline_periods THEN 'critical' ELSE 'warning' END
            AS severity,
        format('Device offline %s times in the last 7 days', count(*)) AS title,
        format('%s hours offline in total; longest %s minutes.',
               round(sum(minutes) / 60.0, 1), max(minutes)) AS detail,
        jsonb_build_object(
            'window', jsonb_build_array({D} - 6, {D}),
            'periods', jsonb_agg(jsonb_build_object(
                'device_id', device_id, 'offline_from', offline_from, 'back_at', back_at,
                'minutes', minutes) ORDER BY offline_from)) AS evidence
    FROM gaps GROUP BY patient_id
    HAVING count(*) >= :offline_periods
)"""

_REFILL_FORECAST = f"""
{STOCK_CTE.strip()},
meds AS (
    SELECT su.*, su.days_of_supply <= su.threshold_days AS low
    FROM supply su JOIN targets t ON t.patient_id = su.patient_id
    WHERE su.days_of_supply IS NOT NULL
),
new AS (
    SELECT patient_id,
        CASE WHEN bool_or(low) THEN 'warning' ELSE 'info' END AS severity,
        CASE WHEN bool_or(low)
            THEN format('Refill soon: %s', string_agg(name, ', ' ORDER BY name) FILTER (WHERE low))
            ELSE format('Supplies last %s days or more', floor(min(days_of_supply)))
        END AS title,
        string_agg(format('%s: %s left, %s days of supply (until %s)', name, stock_left,
                          days_of_supply, {D} + floor(days_of_supply)::int),
                   '; ' ORDER BY days_of_supply, name) AS detail,
        jsonb_build_object('medications', jsonb_agg(jsonb_build_object(
            'medication_id', medication_id, 'name', name, 'stock_left', stock_left,
            'units_per_day', round(units_per_day::numeric, 2),
            'days_of_supply', days_of_supply,
            'runs_out_on', {D} + floor(days_of_supply)::int,
            'threshold_days', threshold_days) ORDER BY days_of_supply, name)) AS evidence
    FROM meds GROUP BY patient_id
)"""


def _statement(ctes: str) -> TextClause:
    return text(_UPSERT.format(targets=_TARGETS.strip(), ctes=ctes.strip()))


# kind -> (statement, days before `day` the period starts)
INSIGHT_KINDS: dict[str, tuple[TextClause, int]] = {
    "adherence_drop": (_statement(_ADHERENCE_DROP), 13),
    "slot_trouble": (_statement(_SLOT_TROUBLE), 6),
    "repeated_symptom": (_statement(_REPEATED_SYMPTOM), 6),
    "device_offline": (_statement(_DEVICE_OFFLINE), 6),
    "refill_forecast": (_statement(_REFILL_FORECAST), 0),
}


def upsert_insights(
    db: Session,
    day: date,
    settings: AnalyticsSettings,
    *,
    now: datetime,
    only_ended: bool = False,
) -> dict[str, int]:
    """Compute every insight kind for the period ending on local `day`; rows changed per kind."""
    changed: dict[str, int] = {}
    for kind, (statement, days_before) in INSIGHT_KINDS.items():
        params: dict[str, Any] = {
            "day": day,
            "now": now,
            "only_ended": only_ended,
            "kind": kind,
            "period_start": day - timedelta(days=days_before),
            "period_end": day,
            "drop_points": settings.adherence_drop_points,
            "slot_trouble_days": settings.slot_trouble_days,
            "repeated_symptom_count": settings.repeated_symptom_count,
            "new_medication_days": settings.new_medication_days,
            "offline_gap_minutes": settings.offline_gap_minutes,
            "offline_periods": settings.offline_periods,
            "default_low_stock_days": settings.default_low_stock_days,
        }
        result = db.execute(statement, params)
        changed[kind] = int(getattr(result, "rowcount", 0) or 0)
    return changed
