"""Adherence: the one definition of the dose figures, in SQL and in Python.

Over scheduled doses (as-needed ones excluded):

* a dose whose window has closed (`missed_after` passed) and that nobody decided is missed,
  whether or not the device said so: a silent device cannot report it;
* pending counts only doses whose window is still open;
* adherence_pct = taken (on time + late) / doses that count, i.e. decided or whose window has
  closed (scheduled - pending); a skipped or missed dose is not taken, and a dose still open
  neither helps nor hurts; on_time_pct = on time / doses that count. Both are percentages
  rounded half up to one decimal, None when no dose counts yet.

Every reader uses this module: the live `/adherence` endpoint, the daily and weekly summaries,
the insights and the reports, so they always agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal


def dose_counts_sql(occurrence: str, now: str) -> str:
    """Aggregate columns `scheduled, on_time, late, missed, skipped, pending, as_needed_doses,
    late_minutes_total` over the occurrence alias `occurrence` as of the SQL instant `now`."""
    o = occurrence
    scheduled = f"NOT {o}.as_needed"
    closed = f"{o}.missed_after <= {now}"
    return f"""
        count(*) FILTER (WHERE {scheduled}) AS scheduled,
        count(*) FILTER (WHERE {scheduled} AND {o}.status = 'on_time') AS on_time,
        count(*) FILTER (WHERE {scheduled} AND {o}.status = 'late') AS late,
        count(*) FILTER (WHERE {scheduled} AND ({o}.status = 'missed'
                         OR ({o}.status = 'pending' AND {closed}))) AS missed,
        count(*) FILTER (WHERE {scheduled} AND {o}.status = 'skipped') AS skipped,
        count(*) FILTER (WHERE {scheduled} AND {o}.status = 'pending' AND NOT ({closed}))
            AS pending,
        count(*) FILTER (WHERE {o}.as_needed AND {o}.status IN ('on_time', 'late'))
            AS as_needed_doses,
        sum(extract(epoch FROM {o}.decided_at - {o}.due_at) / 60.0)
            FILTER (WHERE {scheduled} AND {o}.status = 'late') AS late_minutes_total"""


def pct_sql(part: str, counted: str) -> str:
    """The SQL of a percentage of doses that count, rounded half up to one decimal."""
    return f"round(100.0 * ({part}) / nullif({counted}, 0), 1)"


def adherence_pct_sql(on_time: str, late: str, scheduled: str, pending: str) -> str:
    """adherence_pct in SQL, from the counts' column expressions."""
    return pct_sql(f"{on_time} + {late}", f"{scheduled} - {pending}")


def on_time_pct_sql(on_time: str, scheduled: str, pending: str) -> str:
    """on_time_pct in SQL, from the counts' column expressions."""
    return pct_sql(on_time, f"{scheduled} - {pending}")


def pct(part: int, counted: int) -> float | None:
    """A percentage rounded half up to one decimal (as PostgreSQL rounds numerics)."""
    if counted == 0:
        return None
    exact = Decimal(100 * part) / Decimal(counted)
    return float(exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def mean_minutes_late(late_minutes_total: Decimal, late: int) -> float | None:
    """Mean lateness of the doses taken late, rounded half up to one decimal."""
    if late == 0:
        return None
    exact = late_minutes_total / Decimal(late)
    return float(exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class DoseCounts:
    """Scheduled doses by status (see the module docstring for what each one counts)."""

    scheduled: int = 0
    on_time: int = 0
    late: int = 0
    missed: int = 0
    skipped: int = 0
    pending: int = 0

    @property
    def taken(self) -> int:
        return self.on_time + self.late

    @property
    def counted(self) -> int:
        """Doses decided or whose window has closed."""
        return self.scheduled - self.pending

    @property
    def adherence_pct(self) -> float | None:
        return pct(self.taken, self.counted)

    @property
    def on_time_pct(self) -> float | None:
        return pct(self.on_time, self.counted)

    def __add__(self, other: DoseCounts) -> DoseCounts:
        return DoseCounts(
            self.scheduled + other.scheduled,
            self.on_time + other.on_time,
            self.late + other.late,
            self.missed + other.missed,
            self.skipped + other.skipped,
            self.pending + other.pending,
        )
