"""Time on the device: wall-clock jumps, a clock that boots in the past, and DST days."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from edge_agent.store import OccurrenceState
from shared.enums import Button
from tests.edge_agent.factories import Device, local, make_item, make_plan

Factory = Callable[..., Device]


def reminders(device: Device) -> list[str]:
    return [text for text in device.speaker.said if text.startswith("It is time")]


def eight_oclock(device_factory: Factory) -> Device:
    plan = make_plan(make_item("Metformin", ["08:00"]))
    return device_factory(local(2026, 6, 1, 7, 0), plan=plan)


def test_forward_jump_past_due_time_reminds_once(device_factory: Factory) -> None:
    device = eight_oclock(device_factory)
    device.clock.jump(local(2026, 6, 1, 8, 30))
    assert len(reminders(device)) == 1
    device.advance(60)
    assert len(reminders(device)) == 1
    assert device.occurrences()[0].state is OccurrenceState.DUE


def test_backward_jump_after_reminder_does_not_remind_again(device_factory: Factory) -> None:
    device = eight_oclock(device_factory)
    device.advance_to(local(2026, 6, 1, 8, 5))
    device.clock.jump(local(2026, 6, 1, 7, 30))
    device.advance_to(local(2026, 6, 1, 8, 5))
    assert len(reminders(device)) == 1, "the 08:00 reminder fired twice after the clock went back"


def test_backward_jump_after_taken_neither_reminds_nor_records_twice(
    device_factory: Factory,
) -> None:
    device = eight_oclock(device_factory)
    device.advance_to(local(2026, 6, 1, 8, 5))
    device.press(Button.TAKEN)
    device.clock.jump(local(2026, 6, 1, 6, 0))
    device.advance_to(local(2026, 6, 1, 11, 0))
    assert len(reminders(device)) == 1
    assert len(device.outbox("dose_event")) == 1
    assert device.occurrences()[0].state is OccurrenceState.ON_TIME


def test_forward_jump_past_the_window_records_one_miss(device_factory: Factory) -> None:
    device = eight_oclock(device_factory)
    device.clock.jump(local(2026, 6, 1, 13, 0))
    device.advance(3600)
    record = device.occurrences()[0]
    assert record.state is OccurrenceState.MISSED
    assert len(device.outbox("dose_event")) == 1
    assert len(device.outbox("alert")) == 1


def test_device_booting_in_the_past_marks_messages_unsynced(device_factory: Factory) -> None:
    device = eight_oclock(device_factory)
    data_dir = device.settings.data_dir
    device.agent.close()
    booted = device_factory(datetime(1970, 1, 1, 0, 0, 10, tzinfo=UTC), data_dir=data_dir)
    assert not booted.agent.clock_health.synced()
    booted.hold(Button.TALK, 4)
    assert booted.outbox("alert")[-1].clock_synced is False
    assert reminders(booted) == [], "nothing is due on a clock stuck in 1970"
    booted.clock.jump(local(2026, 6, 1, 8, 0, second=30))
    assert booted.agent.clock_health.synced()
    assert len(reminders(booted)) == 1
    booted.press(Button.TAKEN)
    assert booted.outbox("dose_event")[-1].clock_synced is True


def test_device_on_a_synced_clock_marks_messages_synced(device_factory: Factory) -> None:
    device = eight_oclock(device_factory)
    assert all(message.clock_synced for message in device.outbox())


def two_thirty(device_factory: Factory, start: datetime) -> Device:
    plan = make_plan(make_item("Night pill", ["02:30"]), make_item("Morning pill", ["08:00"]))
    return device_factory(start, plan=plan)


def started_at(device: Device, name: str) -> list[datetime]:
    return [
        u.started_at
        for u in device.speaker.utterances
        if u.text.startswith(f"It is time for {name}")
    ]


def test_spring_forward_gap_dose_is_due_once_an_hour_later(device_factory: Factory) -> None:
    # Berlin, 2026-03-29: 02:00 CET jumps to 03:00 CEST; 02:30 does not exist.
    device = two_thirty(device_factory, local(2026, 3, 28, 12, 0))
    device.advance_to(local(2026, 3, 29, 12, 0))
    # 03:30 CEST, per the shared DST rule (02:30 read with the offset before the gap).
    assert started_at(device, "Night pill") == [datetime(2026, 3, 29, 1, 30, tzinfo=UTC)]
    assert started_at(device, "Morning pill")[-1] == datetime(2026, 3, 29, 6, 0, tzinfo=UTC)
    gap_day = device.occurrences("local_date = '2026-03-29' AND slot = '02:30'")[0]
    assert gap_day.local_time == "03:30"


def test_fall_back_repeated_dose_is_due_once_at_the_first_instant(device_factory: Factory) -> None:
    # Berlin, 2026-10-25: 03:00 CEST goes back to 02:00 CET; 02:30 happens twice.
    device = two_thirty(device_factory, local(2026, 10, 24, 12, 0))
    device.advance_to(local(2026, 10, 24, 23, 0))
    device.advance(12 * 3600)
    night = started_at(device, "Night pill")
    assert night == [datetime(2026, 10, 25, 0, 30, tzinfo=UTC)], "the repeated 02:30 fired twice"
    assert started_at(device, "Morning pill") == [datetime(2026, 10, 25, 7, 0, tzinfo=UTC)]


def test_a_week_across_dst_keeps_every_dose_at_its_local_time(device_factory: Factory) -> None:
    device = two_thirty(device_factory, local(2026, 10, 22, 12, 0))
    device.advance(7 * 86400)
    mornings = started_at(device, "Morning pill")
    assert len(mornings) == 7
    assert all(m.astimezone(device.agent.zone).strftime("%H:%M") == "08:00" for m in mornings)
    # Saturday 24th 08:00 CEST to Sunday 25th 08:00 CET: the fall-back day is 25 hours long.
    assert mornings[2] - mornings[1] == timedelta(hours=25)
    assert mornings[3] - mornings[2] == timedelta(hours=24)
