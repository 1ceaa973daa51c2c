"""Alert detectors: set-wise statements that raise (and settle) the cloud's own alerts.

* overdue_dose: a scheduled dose still pending `overdue_after` past its due time, while its
  window is open; resolved by itself once the dose is decided or its window closes;
* missed_dose: a dose the device decided missed, or still pending after its window closed
  (a device offline cannot report it); resolved by itself if the device later reports the dose
  taken or skipped (the backlog of a network outage);
* low_stock: a medication with `threshold_days` or fewer days of supply, once per dispensing
  (so resolving it does not bring it back until the next refill runs low); resolved by itself
  when a refill lifts the supply.

Only doses due within `lookback` are considered, so history never floods anyone. Each cause
is alerted once however often the job runs: its cause key is `overdue_dose:<occurrence>`,
`missed_dose:<occurrence>` (the key ingest gives the device's own alert about that dose, so the
device and the cloud never both raise it) or `low_stock:<medication>:<dispensed at>`. The rules
here only select candidates; `cloud.alerts.writer.AlertWriter` raises and settles them.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from cloud.alerts.writer import AlertWriter
from cloud.analytics.stock import STOCK_CTE

_OVERDUE = """
SELECT o.patient_id, NULL::uuid, 'overdue_dose', 'warning',
    format('%s due at %s on %s has not been taken yet.', o.medication_name, o.slot,
           o.local_date),
    'overdue_dose:' || o.id, o.id, NULL::uuid
FROM dose_occurrences o
WHERE o.status = 'pending' AND NOT o.as_needed
  AND o.due_at <= CAST(:now AS timestamptz) - :overdue_after
  AND o.missed_after > :now
  AND o.due_at >= CAST(:now AS timestamptz) - :lookback
"""

_MISSED = """
SELECT o.patient_id, NULL::uuid, 'missed_dose', 'warning',
    format('%s due at %s on %s was missed.', o.medication_name, o.slot, o.local_date),
    'missed_dose:' || o.id, o.id, NULL::uuid
FROM dose_occurrences o
WHERE NOT o.as_needed
  AND (o.status = 'missed' OR (o.status = 'pending' AND o.missed_after <= :now))
  AND o.due_at >= CAST(:now AS timestamptz) - :lookback
  AND o.due_at <= :now
"""

# Overdue: the dose was decided or its window closed. Missed (the cloud's own guess for a
# silent device): the device later reported the dose taken or skipped.
_DOSE_SETTLED = """
SELECT a.id FROM alert_logs a JOIN dose_occurrences o ON o.id = a.occurrence_id
WHERE a.status <> 'resolved'
  AND ((a.alert_type = 'overdue_dose' AND (o.status <> 'pending' OR o.missed_after <= :now))
    OR (a.alert_type = 'missed_dose' AND a.source = 'cloud'
        AND o.status IN ('on_time', 'late', 'skipped')))
"""

_LOW_STOCK_CAUSE = (
    "'low_stock:' || s.medication_id || ':' || "
    "to_char(s.dispensed_at AT TIME ZONE 'UTC', 'YYYYMMDD\"T\"HH24MISS')"
)

_LOW_STOCK = f"""
WITH {STOCK_CTE.strip()}
SELECT s.patient_id, NULL::uuid, 'low_stock', 'info',
    format('%s is running low: %s left, about %s days of supply.', s.name, s.stock_left,
           s.days_of_supply),
    {_LOW_STOCK_CAUSE}, NULL::uuid, NULL::uuid
FROM supply s
WHERE s.days_of_supply <= s.threshold_days
"""

_LOW_STOCK_SETTLED = f"""
WITH {STOCK_CTE.strip()}
SELECT a.id FROM alert_logs a
WHERE a.alert_type = 'low_stock' AND a.status <> 'resolved' AND a.source = 'cloud'
  AND NOT EXISTS (SELECT 1 FROM supply s
                  WHERE {_LOW_STOCK_CAUSE} = a.cause_key AND s.days_of_supply <= s.threshold_days)
"""


def raise_dose_alerts(
    db: Session, now: datetime, *, overdue_after: timedelta, lookback: timedelta
) -> tuple[int, int, int]:
    """Raise overdue and missed alerts, settle those whose dose was dealt with;
    (overdue, missed, settled)."""
    writer = AlertWriter(db)
    params = {"now": now, "overdue_after": overdue_after, "lookback": lookback}
    settled = writer.settle_selected(_DOSE_SETTLED, params, settled_at=now)
    overdue = writer.raise_selected(_OVERDUE, params, raised_at=now)
    missed = writer.raise_selected(_MISSED, params, raised_at=now)
    return overdue, missed, settled


def raise_low_stock_alerts(
    db: Session, now: datetime, day: date, *, default_low_stock_days: int
) -> tuple[int, int]:
    """Raise low-stock alerts and settle refilled ones; (raised, settled)."""
    writer = AlertWriter(db)
    params = {"now": now, "day": day, "default_low_stock_days": default_low_stock_days}
    settled = writer.settle_selected(_LOW_STOCK_SETTLED, params, settled_at=now)
    raised = writer.raise_selected(_LOW_STOCK, params, raised_at=now)
    return raised, settled
