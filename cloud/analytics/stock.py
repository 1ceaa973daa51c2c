"""Stock and refills: what is left of each medication and how many days it lasts.

Stock is derived, never decremented in place: dispensed quantity minus quantity_per_dose for
every dose taken since it was dispensed (scheduled and as-needed alike). A dose event that
arrives days late therefore lowers the stock exactly once. Daily use is forecast from the
current plan: doses per day of each scheduled item (times a day, weekdays, every n days); a
paused item uses none.
Items link to a medication by `medication_id`, or by name within the patient when unset.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from uuid import UUID

from sqlalchemy import text
from sqlalchemy.orm import Session

_STOCK_CTE = """
item_medication AS (
    SELECT DISTINCT pi.item_id, m.id AS medication_id
    FROM medication_plan_items pi
    JOIN medication_plans mp ON mp.id = pi.plan_version_id
    JOIN medications m ON m.patient_id = mp.patient_id
     AND (pi.medication_id = m.id
          OR (pi.medication_id IS NULL AND lower(pi.medication_name) = lower(m.name)))
    {plans_of}
),
stock AS (
    SELECT m.id AS medication_id, m.patient_id, m.name, m.quantity_dispensed, m.dispensed_at,
        m.quantity_per_dose, m.low_stock_days,
        m.quantity_dispensed - m.quantity_per_dose * (
            SELECT count(*) FROM dose_occurrences o
            JOIN item_medication im ON im.item_id = o.item_id AND im.medication_id = m.id
            WHERE o.patient_id = m.patient_id AND o.status IN ('on_time', 'late')
              AND o.decided_at >= m.dispensed_at
        ) AS stock_left,
        (
            SELECT sum(cardinality(pi.times_of_day)
                       * (CASE WHEN cardinality(pi.days_of_week) = 0 THEN 7
                               ELSE cardinality(pi.days_of_week) END) / 7.0
                       / pi.every_n_days)
            FROM medication_plan_items pi
            JOIN medication_plans mp ON mp.id = pi.plan_version_id AND mp.is_current
            JOIN item_medication im ON im.item_id = pi.item_id AND im.medication_id = m.id
            WHERE NOT pi.as_needed AND NOT pi.paused
              AND (pi.end_date IS NULL OR pi.end_date >= CAST(:day AS date))
        ) AS doses_per_day
    FROM medications m
    WHERE m.active AND m.quantity_dispensed IS NOT NULL AND m.dispensed_at IS NOT NULL
      {medications_of}
),
supply AS (
    SELECT s.*, s.doses_per_day * s.quantity_per_dose AS units_per_day,
        round((greatest(s.stock_left, 0) / nullif(s.doses_per_day * s.quantity_per_dose, 0))
              ::numeric, 1)::float8 AS days_of_supply,
        coalesce(s.low_stock_days, :default_low_stock_days) AS threshold_days
    FROM stock s
)"""

# Every patient's stock (the fleet-wide jobs add their own statements after it).
STOCK_CTE = _STOCK_CTE.format(plans_of="", medications_of="")
# One patient's: `item_medication` is read twice, so PostgreSQL materialises it whole before an
# outer filter could apply; filtered inside, a page reads that patient's plan items only.
_ONE_PATIENTS_STOCK_CTE = _STOCK_CTE.format(
    plans_of="WHERE mp.patient_id = CAST(:patient_id AS uuid)",
    medications_of="AND m.patient_id = CAST(:patient_id AS uuid)",
)
_LEVELS = """
SELECT medication_id, patient_id, name, stock_left, units_per_day, days_of_supply, threshold_days
FROM supply
ORDER BY patient_id, name
"""
_STOCK_LEVELS = text(f"WITH {STOCK_CTE.strip()}{_LEVELS}")
_ONE_PATIENTS_STOCK_LEVELS = text(f"WITH {_ONE_PATIENTS_STOCK_CTE.strip()}{_LEVELS}")


@dataclass(frozen=True)
class StockLevel:
    """Stock of one medication today and how long it lasts at the planned rate."""

    medication_id: UUID
    patient_id: UUID
    name: str
    stock_left: float
    units_per_day: float | None
    days_of_supply: float | None
    threshold_days: int

    @property
    def low(self) -> bool:
        return self.days_of_supply is not None and self.days_of_supply <= self.threshold_days

    def runs_out_on(self, today: date) -> date | None:
        """The date the stock runs out at the planned rate (None: not forecast)."""
        if self.days_of_supply is None:
            return None
        return today + timedelta(days=int(self.days_of_supply))


def stock_levels(
    db: Session, day: date, *, default_low_stock_days: int, patient_id: UUID | None = None
) -> list[StockLevel]:
    """Stock of every tracked medication (of one patient, or of all)."""
    rows = db.execute(
        _STOCK_LEVELS if patient_id is None else _ONE_PATIENTS_STOCK_LEVELS,
        {"day": day, "default_low_stock_days": default_low_stock_days, "patient_id": patient_id},
    )
    return [
        StockLevel(
            medication_id=row.medication_id,
            patient_id=row.patient_id,
            name=row.name,
            stock_left=float(row.stock_left),
            units_per_day=None if row.units_per_day is None else float(row.units_per_day),
            days_of_supply=row.days_of_supply,
            threshold_days=int(row.threshold_days),
        )
        for row in rows
    ]
