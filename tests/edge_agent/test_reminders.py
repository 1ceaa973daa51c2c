"""The reminder state machine: every state and event, driven through the mock buttons."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from edge_agent.config import ReminderPolicy
from edge_agent.hardware import LedStatus
from edge_agent.store import OccurrenceState
from shared.enums import AlertType, Button, DoseSource, DoseStatus
from tests.edge_agent.factories import Device, local, make_item, make_plan

Factory = Callable[..., Device]
POLICY = ReminderPolicy(remind_every_minutes=10, snooze_minutes=5, max_snoozes=2)


def morning_device(device_factory: Factory, *items_times: str) -> Device:
    plan = make_plan(make_item("Metformin", list(items_times) or ["08:00"]))
    return device_factory(local(2026, 6, 1, 7, 0), plan=plan, policy=POLICY)


def test_reminder_fires_within_a_second_of_due_time(device_factory: Factory) -> None:
    device = morning_device(device_factory)
    device.advance_to(local(2026, 6, 1, 7, 59))
    device.advance(59)
    assert device.speaker.said == [], "reminded before the dose was due"
    device.advance(1)
    assert len(device.speaker.utterances) == 1
    spoken = device.speaker.utterances[0]
    assert spoken.started_at - local(2026, 6, 1, 8, 0) <= timedelta(seconds=1)
    assert "Metformin" in spoken.text
    assert device.hardware.status is LedStatus.DUE
    assert device.occurrences()[0].state is OccurrenceState.DUE


def test_due_dose_is_reminded_again_every_interval(device_factory: Factory) -> None:
    device = morning_device(device_factory)
    device.advance_to(local(2026, 6, 1, 8, 0))
    device.advance_to(local(2026, 6, 1, 8, 29, second=59))
    assert len(device.speaker.said) == 3  # 08:00, 08:10, 08:20
    record = device.occurrences()[0]
    assert record.reminders_sent == 3
    assert [t[2] for t in device.transitions()] == ["due", "remind_again", "remind_again"]


def test_taken_within_on_time_window_is_on_time(device_factory: Factory) -> None:
    device = morning_device(device_factory)
    device.advance_to(local(2026, 6, 1, 8, 5))
    device.press(Button.TAKEN)
    record = device.occurrences()[0]
    assert record.state is OccurrenceState.ON_TIME
    assert record.source is DoseSource.BUTTON
    [event] = device.outbox("dose_event")
    assert event.body.status is DoseStatus.ON_TIME
    assert event.body.occurrence_id == record.occurrence_id
    assert event.body.reminders_sent == 1
    assert "taken" in device.speaker.said[-1]
    assert device.hardware.status is LedStatus.IDLE


def test_taken_after_on_time_window_is_late(device_factory: Factory) -> None:
    device = morning_device(device_factory)
    device.advance_to(local(2026, 6, 1, 8, 45))
    device.press(Button.TAKEN)
    assert device.occurrences()[0].state is OccurrenceState.LATE
    assert device.outbox("dose_event")[0].body.status is DoseStatus.LATE


def test_taken_a_little_early_counts_for_the_coming_dose(device_factory: Factory) -> None:
    device = morning_device(device_factory)
    device.advance_to(local(2026, 6, 1, 7, 50))
    device.press(Button.TAKEN)
    assert device.occurrences()[0].state is OccurrenceState.ON_TIME
    device.advance_to(local(2026, 6, 1, 9, 0))
    assert not any("It is time" in text for text in device.speaker.said), "reminded a taken dose"


def test_press_with_nothing_due_says_so_and_records_nothing(device_factory: Factory) -> None:
    device = morning_device(device_factory)
    depth = device.store.outbox_depth()
    device.press(Button.TAKEN)
    device.press(Button.SNOOZE)
    assert device.speaker.said == ["Nothing is due right now.", "Nothing is due right now."]
    assert device.store.outbox_depth() == depth
    assert device.occurrences()[0].state is OccurrenceState.PENDING
    assert device.transitions() == []


def test_one_press_answers_every_dose_due_at_that_moment(device_factory: Factory) -> None:
    plan = make_plan(make_item("Metformin", ["08:00"]), make_item("Lisinopril", ["08:00"]))
    device = device_factory(local(2026, 6, 1, 7, 0), plan=plan, policy=POLICY)
    device.advance_to(local(2026, 6, 1, 8, 0))
    assert "Lisinopril" in device.speaker.said[-1] and "Metformin" in device.speaker.said[-1]
    device.press(Button.TAKEN)
    today = device.occurrences("local_date = '2026-06-01'")
    assert {r.state for r in today} == {OccurrenceState.ON_TIME}
    assert len(device.outbox("dose_event")) == 2


def test_snooze_delays_the_next_reminder(device_factory: Factory) -> None:
    device = morning_device(device_factory)
    device.advance_to(local(2026, 6, 1, 8, 0))
    device.press(Button.SNOOZE)
    assert device.occurrences()[0].state is OccurrenceState.SNOOZED
    assert "5 minutes" in device.speaker.said[-1]
    mark = device.mark()
    device.advance_to(local(2026, 6, 1, 8, 4, second=59))
    assert device.said_since(mark) == []
    device.advance(2)
    assert len(device.said_since(mark)) == 1
    assert device.occurrences()[0].state is OccurrenceState.DUE
    assert ("snoozed", "due", "snooze_ended") in device.transitions()


def test_snoozes_are_bounded(device_factory: Factory) -> None:
    device = morning_device(device_factory)
    device.advance_to(local(2026, 6, 1, 8, 0))
    for _ in range(POLICY.max_snoozes):
        device.press(Button.SNOOZE)
        device.advance(POLICY.snooze_minutes * 60)
    device.press(Button.SNOOZE)
    assert "cannot snooze" in device.speaker.said[-1]
    record = device.occurrences()[0]
    assert record.state is OccurrenceState.DUE
    assert record.snoozes == POLICY.max_snoozes


def test_long_press_of_snooze_skips_with_a_reason(device_factory: Factory) -> None:
    device = morning_device(device_factory)
    device.advance_to(local(2026, 6, 1, 8, 0))
    device.hold(Button.SNOOZE, POLICY.skip_hold_s + 0.5)
    record = device.occurrences()[0]
    assert record.state is OccurrenceState.SKIPPED
    [event] = device.outbox("dose_event")
    assert event.body.status is DoseStatus.SKIPPED
    assert event.body.skip_reason == "skipped with the snooze button"
    device.advance_to(local(2026, 6, 1, 11, 0))
    assert not device.outbox("alert"), "a skipped dose must not be reported missed"


def test_unanswered_dose_is_missed_when_the_window_closes(device_factory: Factory) -> None:
    device = morning_device(device_factory)
    device.advance_to(local(2026, 6, 1, 9, 59))
    assert device.occurrences()[0].state is OccurrenceState.DUE
    device.advance_to(local(2026, 6, 1, 10, 0))
    record = device.occurrences()[0]
    assert record.state is OccurrenceState.MISSED
    assert record.source is DoseSource.TIMEOUT
    [event] = device.outbox("dose_event")
    assert event.body.status is DoseStatus.MISSED
    [alert] = device.outbox("alert")
    assert alert.body.alert_type is AlertType.MISSED_DOSE
    assert alert.body.occurrence_id == record.occurrence_id
    assert device.hardware.status is LedStatus.IDLE
    mark = device.mark()
    device.advance_to(local(2026, 6, 1, 12, 0))
    assert device.said_since(mark) == [], "a missed dose is not reminded any more"


def test_every_transition_is_logged(device_factory: Factory) -> None:
    device = morning_device(device_factory, "08:00", "12:00", "20:00")
    device.advance_to(local(2026, 6, 1, 8, 0))
    device.press(Button.SNOOZE)
    device.advance(5 * 60)
    device.press(Button.TAKEN)
    device.advance_to(local(2026, 6, 1, 12, 0))
    device.hold(Button.SNOOZE, 3)
    device.advance_to(local(2026, 6, 1, 22, 0))
    assert device.transitions() == [
        ("pending", "due", "due"),
        ("due", "snoozed", "snoozed"),
        ("snoozed", "due", "snooze_ended"),
        ("due", "on_time", "taken_button"),
        ("pending", "due", "due"),
        ("due", "skipped", "skipped_button"),
        ("pending", "due", "due"),
        ("due", "due", "remind_again"),
        *[("due", "due", "remind_again")] * 10,
        ("due", "missed", "window_closed"),
    ]


def test_horizon_rolls_forward_as_days_pass(device_factory: Factory) -> None:
    device = morning_device(device_factory)
    assert device.store.horizon_end() == local(2026, 6, 1, 12).date() + timedelta(days=7)
    device.advance_to(local(2026, 6, 4, 0, 30))
    assert device.store.horizon_end() == local(2026, 6, 4, 12).date() + timedelta(days=7)
    dates = {r.local_date for r in device.occurrences()}
    assert max(dates) == local(2026, 6, 11, 12).date()


def test_restart_re_announces_a_due_dose(device_factory: Factory, tmp_path: object) -> None:
    device = morning_device(device_factory)
    device.advance_to(local(2026, 6, 1, 8, 3))
    data_dir = device.settings.data_dir
    device.agent.close()
    again = device_factory(local(2026, 6, 1, 8, 4), data_dir=data_dir, policy=POLICY)
    assert again.speaker.said and "still time" in again.speaker.said[0]
    again.press(Button.TAKEN)
    assert again.occurrences()[0].state is OccurrenceState.ON_TIME


def test_a_paused_medication_is_not_reminded_until_a_version_resumes_it(
    device_factory: Factory,
) -> None:
    metformin = make_item("Metformin", ["08:00", "20:00"])
    aspirin = make_item("Aspirin", ["12:00"])
    first = make_plan(metformin, aspirin)
    device = device_factory(local(2026, 6, 1, 7, 0), plan=first, policy=POLICY)
    paused = metformin.model_copy(update={"paused": True})
    assert device.store.apply_plan(make_plan(paused, aspirin, version=2, plan_id=first.plan_id))

    device.advance_to(local(2026, 6, 1, 21, 0))
    assert [text for text in device.speaker.said if "Metformin" in text] == []
    assert any("Aspirin" in text for text in device.speaker.said)
    assert device.occurrences("medication_name = 'Metformin'") == []
    missed = [alert.body.message for alert in device.outbox("alert")]
    assert missed and not [text for text in missed if "Metformin" in text], "paused: never missed"

    resumed = make_plan(metformin, aspirin, version=3, plan_id=first.plan_id)
    assert device.store.apply_plan(resumed)
    device.advance_to(local(2026, 6, 2, 8, 0, second=1))
    assert "Metformin" in device.speaker.said[-1]
