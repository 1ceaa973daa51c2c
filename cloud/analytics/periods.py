"""SQL fragments for local days and weeks in each patient's own time zone.

`day::timestamp AT TIME ZONE tz` is the UTC instant of local midnight, so day bounds are 23, 24
or 25 hours long across daylight-saving changes, as in `shared.schedule.local_day_bounds`.
"""

from __future__ import annotations

from datetime import date, timedelta


def day_start(day_sql: str, zone_sql: str = "p.timezone") -> str:
    """SQL of the instant local `day_sql` starts in zone `zone_sql`."""
    return f"(({day_sql})::timestamp AT TIME ZONE {zone_sql})"


def day_end(day_sql: str, zone_sql: str = "p.timezone") -> str:
    """SQL of the instant local `day_sql` ends (next local midnight) in zone `zone_sql`."""
    return f"((({day_sql}) + 1)::timestamp AT TIME ZONE {zone_sql})"


def local_date(instant_sql: str, zone_sql: str = "p.timezone") -> str:
    """SQL of the local date of an instant in zone `zone_sql`."""
    return f"(({instant_sql}) AT TIME ZONE {zone_sql})::date"


def week_start(day: date) -> date:
    """The Monday of the ISO week holding `day`."""
    return day - timedelta(days=day.weekday())
