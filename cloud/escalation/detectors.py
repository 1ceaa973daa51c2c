"""Alert detectors: set-wise statements that raise (and settle) the cloud's own alerts.

* overdue_dose: a scheduled dose still pending `overdue_after` past its due time, while its
  window is open; resolved by itself once the dose is decided or its window closes;
* missed_dose: a dose the device decided missed, or still pending after its window closed
  (a device offline cannot report it);
* low_stock: a medication with `threshold_days` or fewer days of supply, once per dispensing
  (so resolving it does not bring it back until the next refill runs low); resolved by itself
  when a refill lifts the supply.

Only doses due within `lookback` are considered, so history never floods anyone. Each cause
is alerted once however often the job runs: its cause key is `overdue_dose:<occurrence>`,
`missed_dose:<occurrence>` (the key ingest gives the device's own alert about that dose, so the
device and the cloud never both raise it) or `low_stock:<medication>:<dispensed at>`.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import text
from sqlalchemy.orm import Session

from cloud.analytics.stock import STOCK_CTE

_RAISE_OVERDUE = text(
    """
INSERT INTO alert_logs (id, patient_id, alert_type, level, status, source, message, raised_at,
                        cause_key, occurrence_id)
SELECT gen_random_uuid(), o.patient_id, 'overdue_dose', 'warning', 'open', 'cloud',
    format('%s due at %s on %s has not been taken yet.', o.medication_name, o.slot,
           o.local_date),
    :now, 'overdue_dose:' || o.id, o.id
FROM dose_occurrences o
WHERE o.status = 'pending' AND NOT o.as_needed
  AND o.due_at <= CAST(:now AS timestamptz) - :overdue_after
  AND o.missed_after > :now
  AND o.due_at >= CAST(:now AS timestamptz) - :lookback
  AND NOT EXISTS (SELECT 1 FROM alert_logs a WHERE a.cause_key = 'overdue_dose:' || o.id)
ON CONFLICT DO NOTHING
"""
)

_RAISE_MISSED = text(
    """
INSERT INTO alert_logs (id, patient_id, alert_type, level, status, source, message, raised_at,
                        cause_key, occurrence_id)
SELECT gen_random_uuid(), o.patient_id, 'missed_dose', 'warning', 'open', 'cloud',
    format('%s due at %s on %s was missed.', o.medication_name, o.slot, o.local_date),
    :now, 'missed_dose:' || o.id, o.id
FROM dose_occurrences o
WHERE NOT o.as_needed
  AND (o.status = 'missed' OR (o.status = 'pending' AND o.missed_after <= :now))
  AND o.due_at >= CAST(:now AS timestamptz) - :lookback
  AND o.due_at <= :now
  AND NOT EXISTS (SELECT 1 FROM alert_logs a WHERE a.cause_key = 'missed_dose:' || o.id)
ON CONFLICT DO NOTHING
"""
)

_SETTLE_OVERDUE = text(
    """
UPDATE alert_logs a
SET status = 'resolved', resolved_at = :now, next_escalation_at = NULL, updated_at = now()
FROM dose_occurrences o
WHERE a.alert_type = 'overdue_dose' AND a.status <> 'resolved' AND a.occurrence_id = o.id
  AND (o.status <> 'pending' OR o.missed_after <= :now)
"""
)

_LOW_STOCK_CAUSE = (
    "'low_stock:' || s.medication_id || ':' || "
    "to_char(s.dispensed_at AT TIME ZONE 'UTC', 'YYYYMMDD\"T\"HH24MISS')"
)

_RAISE_LOW_STOCK = text(
    f"""
WITH {STOCK_CTE.strip()}
INSERT INTO alert_logs (id, patient_id, alert_type, level, status, source, message, raised_at,
                        cause_key)
SELECT gen_random_uuid(), s.patient_id, 'low_stock', 'info', 'open', 'cloud',
    format('%s is running low: %s left, about %s days of supply.', s.name, s.stock_left,
           s.days_of_supply),
    :now, {_LOW_STOCK_CAUSE}
FROM supply s
WHERE s.days_of_supply <= s.threshold_days
  AND NOT EXISTS (SELECT 1 FROM alert_logs a WHERE a.cause_key = {_LOW_STOCK_CAUSE})
ON CONFLICT DO NOTHING
"""
)

_SETTLE_LOW_STOCK = text(
    f"""
WITH {STOCK_CTE.strip()}
UPDATE alert_logs a
SET status = 'resolved', resolved_at = :now, next_escalation_at = NULL, updated_at = now()
WHERE a.alert_type = 'low_stock' AND a.status <> 'resolved' AND a.source = 'cloud'
  AND NOT EXISTS (SELECT 1 FROM supply s
                  WHERE {_LOW_STOCK_CAUSE} = a.cause_key AND s.days_of_supply <= s.threshold_days)
"""
)


def _count(result: object) -> int:
    return int(getattr(result, "rowcount", 0) or 0)


def raise_dose_alerts(
    db: Session, now: datetime, *, overdue_after: timedelta, lookback: timedelta
) -> tuple[int, int, int]:
    """Raise overdue and missed alerts, settle overdue ones; (overdue, missed, settled)."""
    params = {"now": now, "overdue_after": overdue_after, "lookback": lookback}
    settled = _count(db.execute(_SETTLE_OVERDUE, params))
    overdue = _count(db.execute(_RAISE_OVERDUE, params))
    missed = _count(db.execute(_RAISE_MISSED, params))
    return overdue, missed, settled


def raise_low_stock_alerts(
    db: Session, now: datetime, day: date, *, default_low_stock_days: int
) -> tuple[int, int]:
    """Raise low-stock alerts and settle refilled ones; (raised, settled)."""
    params = {"now": now, "day": day, "default_low_stock_days": default_low_stock_days}
    settled = _count(db.execute(_SETTLE_LOW_STOCK, params))
    raised = _count(db.execute(_RAISE_LOW_STOCK, params))
    return raised, settled
