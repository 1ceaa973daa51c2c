"""Properties of plan expansion that must hold for any plan and range."""

from __future__ import annotations

import itertools
import uuid
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from shared.enums import Weekday
from shared.plan import PlanItem
from shared.schedule import applies_on, expand_plan, occurrence_id
from tests.factories import make_item, make_plan

ZONES = ["America/New_York", "Europe/Berlin", "Australia/Sydney", "Asia/Kolkata", "UTC"]

times = st.lists(
    st.tuples(st.integers(0, 23), st.integers(0, 59)).map(lambda hm: f"{hm[0]:02d}:{hm[1]:02d}"),
    min_size=1,
    max_size=5,
    unique=True,
)
items = st.builds(
    lambda t, days, n, start_offset, length: make_item(
        times_of_day=t,
        days_of_week=days,
        every_n_days=n,
        start_date=date(2026, 1, 1) + timedelta(days=start_offset),
        end_date=None
        if length is None
        else date(2026, 1, 1) + timedelta(days=start_offset + length),
    ),
    times,
    st.lists(st.sampled_from(list(Weekday)), unique=True, max_size=7),
    st.integers(1, 5),
    st.integers(0, 400),
    st.none() | st.integers(0, 60),
)
ranges = st.tuples(st.integers(0, 420), st.integers(0, 45)).map(
    lambda r: (
        date(2026, 1, 1) + timedelta(days=r[0]),
        date(2026, 1, 1) + timedelta(days=r[0] + r[1]),
    )
)


@settings(max_examples=60, deadline=None)
@given(st.lists(items, min_size=1, max_size=3), st.sampled_from(ZONES), ranges)
def test_expansion_ids_are_unique_stable_in_range_and_counted_as_the_timing_implies(
    plan_items: list[PlanItem], zone: str, date_range: tuple[date, date]
) -> None:
    plan = make_plan(*plan_items, timezone=zone)
    start, end = date_range
    first = expand_plan(plan, start, end)
    again = expand_plan(plan, start, end)

    ids = [occ.occurrence_id for occ in first]
    assert len(ids) == len(set(ids)), "occurrence ids must be unique"
    assert ids == [occ.occurrence_id for occ in again], "expansion must be deterministic"
    assert all(start <= occ.local_date <= end for occ in first), "occurrence outside the range"
    assert [o.due_at for o in first] == sorted(o.due_at for o in first), "not ordered by instant"

    for item in plan.items:
        days = [start + timedelta(days=i) for i in range((end - start).days + 1)]
        expected = sum(len(item.times_of_day) for day in days if applies_on(item, day))
        got = sum(1 for occ in first if occ.item_id == item.item_id)
        assert got == expected, f"item {item.item_id}: {got} occurrences, timing implies {expected}"
        for occ in first:
            if occ.item_id == item.item_id:
                assert occ.occurrence_id == occurrence_id(item.item_id, occ.local_date, occ.slot)


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 10), st.integers(0, 30))
def test_every_n_days_counts_from_the_start_date(n: int, offset: int) -> None:
    start = date(2026, 5, 1) + timedelta(days=offset)
    plan = make_plan(
        make_item(times_of_day=["09:00"], every_n_days=n, start_date=start), timezone="UTC"
    )
    days = [occ.local_date for occ in expand_plan(plan, date(2026, 5, 1), date(2026, 7, 31))]
    assert days[0] == start
    assert all((day - start).days % n == 0 for day in days)
    assert all((b - a).days == n for a, b in itertools.pairwise(days))


def test_the_same_item_and_slot_give_the_same_id_across_plan_versions() -> None:
    item = make_item()
    v1 = make_plan(item, version=1)
    v2 = make_plan(item, version=2, plan_id=v1.plan_id, patient_id=v1.patient_id)
    day = date(2026, 6, 1)
    assert [o.occurrence_id for o in expand_plan(v1, day, day)] == [
        o.occurrence_id for o in expand_plan(v2, day, day)
    ]
    assert occurrence_id(item.item_id, day, "08:00") != occurrence_id(uuid.uuid4(), day, "08:00")
