"""Plan validation and the timing fields of items."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from pydantic import ValidationError

from shared.enums import DoseStatus, Weekday
from shared.schedule import applies_on, classify_taken, expand_plan, minutes_late
from tests.factories import make_item, make_plan


def test_days_of_week_limit_doses_to_those_days() -> None:
    plan = make_plan(make_item(times_of_day=["09:00"], days_of_week=[Weekday.MON, Weekday.THU]))
    days = {
        occ.local_date.weekday() for occ in expand_plan(plan, date(2026, 6, 1), date(2026, 6, 28))
    }
    assert days == {0, 3}


def test_end_date_is_inclusive_and_nothing_before_start_date() -> None:
    plan = make_plan(
        make_item(times_of_day=["09:00"], start_date=date(2026, 6, 10), end_date=date(2026, 6, 12))
    )
    days = [occ.local_date for occ in expand_plan(plan, date(2026, 6, 1), date(2026, 6, 30))]
    assert days == [date(2026, 6, 10), date(2026, 6, 11), date(2026, 6, 12)]


def test_as_needed_items_are_never_reminded() -> None:
    plan = make_plan(
        make_item(as_needed=True, times_of_day=[], max_per_day=3, medication_name="Paracetamol")
    )
    assert expand_plan(plan, date(2026, 6, 1), date(2026, 6, 30)) == []


def test_a_paused_item_has_no_doses_while_the_others_keep_theirs() -> None:
    kept = make_item(times_of_day=["09:00"], medication_name="Aspirin")
    paused = make_item(times_of_day=["08:00", "20:00"], paused=True)
    occurrences = expand_plan(make_plan(kept, paused), date(2026, 6, 1), date(2026, 6, 7))
    assert {occ.item_id for occ in occurrences} == {kept.item_id}
    assert len(occurrences) == 7
    assert not applies_on(paused, date(2026, 6, 1))


def test_paused_is_on_the_wire_only_when_true() -> None:
    """Devices that predate the field refuse unknown fields: a plan that pauses nothing is
    sent exactly as before, and one that pauses a line round-trips."""
    running = make_item(times_of_day=["09:00"])
    assert "paused" not in running.model_dump() and '"paused"' not in running.model_dump_json()
    paused = running.model_copy(update={"paused": True})
    plan = make_plan(paused)
    assert type(plan).model_validate_json(plan.model_dump_json()) == plan
    assert plan.model_dump()["items"][0]["paused"] is True


def test_windows_follow_on_time_and_late_minutes() -> None:
    plan = make_plan(
        make_item(times_of_day=["08:00"], on_time_minutes=10, late_window_minutes=60),
        timezone="UTC",
    )
    (occ,) = expand_plan(plan, date(2026, 6, 1), date(2026, 6, 1))
    assert occ.on_time_until - occ.due_at == timedelta(minutes=10)
    assert occ.missed_after - occ.due_at == timedelta(minutes=60)
    assert classify_taken(occ, occ.due_at - timedelta(minutes=5)) is DoseStatus.ON_TIME
    assert classify_taken(occ, occ.due_at + timedelta(minutes=10)) is DoseStatus.ON_TIME
    assert classify_taken(occ, occ.due_at + timedelta(minutes=11)) is DoseStatus.LATE
    assert classify_taken(occ, occ.due_at + timedelta(minutes=60)) is DoseStatus.LATE
    assert classify_taken(occ, occ.due_at + timedelta(minutes=61)) is DoseStatus.MISSED
    assert minutes_late(occ, datetime(2026, 6, 1, 8, 30, tzinfo=UTC)) == 30.0


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"times_of_day": ["8:00"]}, "HH:MM"),
        ({"times_of_day": ["24:00"]}, "HH:MM"),
        ({"times_of_day": ["08:00", "08:00"]}, "must not repeat"),
        ({"times_of_day": []}, "needs at least one time"),
        ({"as_needed": True}, "has no times_of_day"),
        ({"max_per_day": 2}, "as-needed items only"),
        ({"end_date": date(2025, 12, 31)}, "before start_date"),
        ({"every_n_days": 0}, "greater than or equal to 1"),
        ({"on_time_minutes": 200, "late_window_minutes": 100}, "at least on_time_minutes"),
        ({"dose": -1.0}, "greater than 0"),
    ],
)
def test_invalid_items_are_refused_with_a_clear_reason(
    overrides: dict[str, object], message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        make_item(**overrides)


def test_unknown_time_zone_is_refused() -> None:
    with pytest.raises(ValidationError, match="unknown IANA time zone"):
        make_plan(timezone="Mars/Olympus_Mons")


def test_duplicate_item_ids_are_refused() -> None:
    item = make_item()
    with pytest.raises(ValidationError, match="item_id must be unique"):
        make_plan(item, item)


def test_range_must_be_ordered_and_bounded() -> None:
    plan = make_plan()
    with pytest.raises(ValueError, match="before it starts"):
        expand_plan(plan, date(2026, 6, 2), date(2026, 6, 1))
    with pytest.raises(ValueError, match="exceeds"):
        expand_plan(plan, date(2026, 1, 1), date(2028, 6, 1))
