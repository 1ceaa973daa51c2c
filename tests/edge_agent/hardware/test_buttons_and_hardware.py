"""Buttons (debounce, press, hold), the as-needed sequence, the status LED and the buzzer, all
through gpiozero MockFactory pins."""

from __future__ import annotations

from collections.abc import Callable

from edge_agent.config import GpioSettings
from edge_agent.hardware import Hardware, LedStatus, make_pin_factory
from edge_agent.store import OccurrenceState
from shared.enums import AlertLevel, AlertType, Button, DoseSource
from tests.edge_agent.factories import Device, local, make_item, make_plan

Factory = Callable[..., Device]


def led(device: Device) -> LedStatus:
    return device.hardware.status


def with_as_needed(device_factory: Factory, max_per_day: int = 2) -> Device:
    plan = make_plan(
        make_item("Metformin", ["08:00"]),
        make_item("Paracetamol", as_needed=True, max_per_day=max_per_day),
        make_item("Ibuprofen", as_needed=True, dose=200.0),
    )
    return device_factory(local(2026, 6, 1, 7, 0), plan=plan)


def test_contact_bounce_counts_as_one_press(device_factory: Factory) -> None:
    device = with_as_needed(device_factory)
    device.advance_to(local(2026, 6, 1, 8, 1))
    pin = device.hardware.button_pin(Button.TAKEN)
    pin.drive_low()
    pin.drive_high()
    pin.drive_low()
    pin.drive_high()
    pin.drive_low()
    device.advance(0.2)
    pin.drive_high()
    device.advance(0)
    assert device.speaker.said.count("Nothing is due right now.") == 0
    assert len(device.outbox("dose_event")) == 1
    assert sum("recorded" in text for text in device.speaker.said) == 1


def test_presses_further_apart_than_debounce_each_count(device_factory: Factory) -> None:
    device = with_as_needed(device_factory)
    device.press(Button.TAKEN)
    device.press(Button.TAKEN)
    assert device.speaker.said == ["Nothing is due right now."] * 2


def test_holding_talk_raises_a_critical_emergency(device_factory: Factory) -> None:
    device = with_as_needed(device_factory)
    device.hold(Button.TALK, device.settings.reminders.help_hold_s + 0.1)
    [alert] = device.outbox("alert")
    assert alert.body.alert_type is AlertType.EMERGENCY
    assert alert.body.level is AlertLevel.CRITICAL
    assert "help" in device.speaker.said[-1]


def test_emergency_fires_while_talk_is_still_held(device_factory: Factory) -> None:
    device = with_as_needed(device_factory)
    pin = device.hardware.button_pin(Button.TALK)
    pin.drive_low()
    device.advance(device.settings.reminders.help_hold_s)
    assert len(device.outbox("alert")) == 1, "no alert at the hold threshold"
    pin.drive_high()
    device.advance(0)
    assert len(device.outbox("alert")) == 1


def test_short_talk_press_starts_the_voice_handler(device_factory: Factory) -> None:
    device = with_as_needed(device_factory)
    started: list[bool] = []
    device.agent.set_talk_handler(lambda: started.append(True))
    device.press(Button.TALK)
    assert started == [True]
    device.agent.set_listening(True)
    assert led(device) is LedStatus.LISTENING


def test_talk_without_voice_says_how_to_get_help(device_factory: Factory) -> None:
    device = with_as_needed(device_factory)
    device.press(Button.TALK)
    assert "Hold the talk button" in device.speaker.said[-1]
    assert device.outbox("alert") == []


def test_as_needed_sequence_takes_the_named_medication(device_factory: Factory) -> None:
    device = with_as_needed(device_factory)
    device.hold(Button.TAKEN, 2.5)
    assert device.speaker.said[-1].startswith("Paracetamol")
    device.press(Button.SNOOZE)
    assert device.speaker.said[-1].startswith("Ibuprofen")
    device.press(Button.TAKEN)
    [event] = device.outbox("dose_event")
    assert event.body.as_needed and event.body.medication_name == "Ibuprofen"
    assert event.body.source is DoseSource.BUTTON
    assert device.occurrences()[0].state is OccurrenceState.PENDING, "scheduled dose untouched"


def test_as_needed_limit_is_enforced_and_spoken(device_factory: Factory) -> None:
    device = with_as_needed(device_factory, max_per_day=2)
    for _ in range(3):
        device.hold(Button.TAKEN, 2.5)
        device.press(Button.TAKEN)
    assert len(device.outbox("dose_event")) == 2
    assert "the most allowed" in device.speaker.said[-1]
    [alert] = device.outbox("alert")
    assert alert.body.alert_type is AlertType.MAX_DOSE_REACHED


def test_as_needed_menu_closes_by_itself(device_factory: Factory) -> None:
    device = with_as_needed(device_factory)
    device.hold(Button.TAKEN, 2.5)
    device.advance(device.settings.reminders.menu_timeout_s + 1)
    assert device.speaker.said[-1] == "Nothing taken."
    device.press(Button.TAKEN)
    assert device.speaker.said[-1] == "Nothing is due right now."
    assert device.outbox("dose_event") == []


def test_led_shows_due_then_offline_then_idle(device_factory: Factory) -> None:
    device = with_as_needed(device_factory)
    rgb = device.hardware.rgb
    assert rgb is not None
    assert led(device) is LedStatus.IDLE
    device.agent.set_online(False)
    assert led(device) is LedStatus.OFFLINE
    assert tuple(rgb.value) == (1, 0, 0)
    device.advance_to(local(2026, 6, 1, 8, 0))
    assert led(device) is LedStatus.DUE
    assert tuple(rgb.value) == (1, 1, 0)
    device.press(Button.TAKEN)
    assert led(device) is LedStatus.OFFLINE
    device.agent.set_online(True)
    assert led(device) is LedStatus.IDLE


def test_buzzer_chirps_with_a_reminder(device_factory: Factory) -> None:
    device = with_as_needed(device_factory)
    buzzer = device.hardware.buzzer
    assert buzzer is not None
    device.advance_to(local(2026, 6, 1, 8, 0))
    assert buzzer.value == 1
    device.advance(1)
    assert buzzer.value == 0


def test_single_led_and_help_button_from_settings() -> None:
    gpio = GpioSettings(pin_factory="mock", led_pin=12, help_pin=23, buzzer_pin=None)
    hardware = Hardware(gpio, make_pin_factory("mock"))
    try:
        assert hardware.rgb is None and hardware.led is not None
        hardware.show(LedStatus.DUE)
        assert hardware.led.value == 1
        hardware.show(LedStatus.OFFLINE)
        assert hardware.led.value == 0
        assert Button.HELP in hardware.buttons
    finally:
        hardware.close()
