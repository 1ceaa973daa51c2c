"""Daylight saving: a dose in a gap moves forward by the gap; a repeated time fires once, first."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime

import pytest

from shared.schedule import expand_plan
from tests.factories import make_item, make_plan


def _one_day(timezone: str, day: date, *times: str) -> dict[str, datetime]:
    plan = make_plan(
        make_item(times_of_day=list(times), start_date=date(2026, 1, 1)), timezone=timezone
    )
    return {occ.slot: occ.due_at for occ in expand_plan(plan, day, day)}


# (zone, spring-forward day, a time inside the gap, its UTC instant under the rule)
SPRING_FORWARD = [
    ("America/New_York", date(2026, 3, 8), "02:30", datetime(2026, 3, 8, 7, 30, tzinfo=UTC)),
    ("Europe/Berlin", date(2026, 3, 29), "02:30", datetime(2026, 3, 29, 1, 30, tzinfo=UTC)),
    ("Australia/Sydney", date(2026, 10, 4), "02:30", datetime(2026, 10, 3, 16, 30, tzinfo=UTC)),
]
# (zone, fall-back day, a repeated time, the UTC instant of its FIRST reading)
FALL_BACK = [
    ("America/New_York", date(2026, 11, 1), "01:30", datetime(2026, 11, 1, 5, 30, tzinfo=UTC)),
    ("Europe/Berlin", date(2026, 10, 25), "02:30", datetime(2026, 10, 25, 0, 30, tzinfo=UTC)),
    ("Australia/Sydney", date(2026, 4, 5), "02:30", datetime(2026, 4, 4, 15, 30, tzinfo=UTC)),
]


@pytest.mark.parametrize(("zone", "day", "slot", "expected"), SPRING_FORWARD)
def test_a_dose_inside_the_spring_forward_gap_moves_forward_by_the_gap(
    zone: str, day: date, slot: str, expected: datetime
) -> None:
    due = _one_day(zone, day, slot, "08:00")
    assert due[slot] == expected, f"{zone} {slot} on {day} should be due at {expected}"
    plan = make_plan(make_item(times_of_day=[slot]), timezone=zone)
    (occurrence,) = expand_plan(plan, day, day)
    assert occurrence.local_time == "03:30", "the wall time the patient sees is one hour later"
    assert occurrence.slot == slot, "the nominal slot (and so the id) is unchanged"


@pytest.mark.parametrize(("zone", "day", "slot", "expected"), FALL_BACK)
def test_a_repeated_time_on_fall_back_day_fires_once_at_its_first_instant(
    zone: str, day: date, slot: str, expected: datetime
) -> None:
    plan = make_plan(make_item(times_of_day=[slot]), timezone=zone)
    occurrences = expand_plan(plan, day, day)
    assert len(occurrences) == 1, "a repeated wall time must not double the dose"
    assert occurrences[0].due_at == expected


@pytest.mark.parametrize(
    ("zone", "day", "hours"),
    [
        ("America/New_York", date(2026, 3, 8), 23),
        ("America/New_York", date(2026, 11, 1), 25),
        ("Europe/Berlin", date(2026, 3, 29), 23),
        ("Australia/Sydney", date(2026, 10, 4), 23),
    ],
)
def test_doses_around_a_transition_keep_their_wall_times(zone: str, day: date, hours: int) -> None:
    due = _one_day(zone, day, "00:00", "23:00")
    assert (due["23:00"] - due["00:00"]).total_seconds() / 3600 == hours - 1


def test_kolkata_has_no_transitions_so_every_day_is_24_hours() -> None:
    plan = make_plan(make_item(times_of_day=["02:30"]), timezone="Asia/Kolkata")
    occurrences = expand_plan(plan, date(2026, 3, 1), date(2026, 11, 30))
    gaps = {(b.due_at - a.due_at).total_seconds() for a, b in itertools.pairwise(occurrences)}
    assert gaps == {86_400.0}
    assert occurrences[0].due_at == datetime(2026, 2, 28, 21, 0, tzinfo=UTC)


def test_the_same_slot_in_winter_and_summer_differs_by_the_offset_change() -> None:
    winter = _one_day("Europe/Berlin", date(2026, 1, 15), "08:00")["08:00"]
    summer = _one_day("Europe/Berlin", date(2026, 7, 15), "08:00")["08:00"]
    assert (winter.hour, summer.hour) == (7, 6)
