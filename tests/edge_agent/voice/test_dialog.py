"""Spoken dialogs, typed: what the device does and says for each kind of request."""

from __future__ import annotations

from collections.abc import Callable

from edge_agent.voice.dialog import FALLBACK, NOT_CONFIRMED, DialogManager, HeardSpeech
from shared.dialog import HELP_CHECK_TIMEOUT, replies
from shared.enums import AlertLevel, AlertType, Intent, Severity
from tests.edge_agent.factories import Device, local


def say(dialog: DialogManager, text: str) -> str:
    return dialog.handle(HeardSpeech(text)).text


def states(device: Device) -> dict[str, str]:
    return {
        f"{r.medication_name} {r.local_time}": r.state.value
        for r in device.occurrences("local_date = ?", ["2026-06-01"])
    }


def test_i_took_my_pills_then_yes_marks_exactly_the_due_doses_taken(
    device: Device, dialog: DialogManager
) -> None:
    say(dialog, "I took my pills")
    reply = say(dialog, "yes")

    taken = states(device)
    assert taken["Metformin 08:00"] in ("on_time", "late"), taken
    assert taken["Aspirin 08:00"] in ("on_time", "late"), taken
    assert taken["Metformin 20:00"] == "pending"
    assert "Metformin" in reply


def test_a_negation_is_not_a_confirmation(device: Device, dialog: DialogManager) -> None:
    reply = say(dialog, "I did not take it")

    assert reply.startswith(NOT_CONFIRMED)
    assert all(state not in ("on_time", "late") for state in states(device).values())


def test_skipping_records_the_due_doses_as_skipped(device: Device, dialog: DialogManager) -> None:
    say(dialog, "I want to skip my morning pills")

    assert states(device)["Metformin 08:00"] == "skipped"


def test_what_do_i_take_tonight_is_answered_from_the_plan(
    device: Device, dialog: DialogManager
) -> None:
    reply = say(dialog, "what do I take tonight?")

    assert "Metformin" in reply and "20:00" in reply
    assert "Aspirin" not in reply
    questions = device.outbox("med_question")
    assert [q.body.answer for q in questions] == [reply]


def test_did_i_take_my_morning_pills_tells_what_is_still_open(
    device: Device, dialog: DialogManager
) -> None:
    before = say(dialog, "did I take my morning pills?")
    say(dialog, "I took my pills")
    say(dialog, "yes")
    after = say(dialog, "did I take my morning pills?")

    assert "not taken yet" in before
    assert "taken" in after and "not taken" not in after


def test_a_symptom_without_severity_gets_one_follow_up_question(
    device: Device, dialog: DialogManager
) -> None:
    question = dialog.handle(HeardSpeech("I have a headache"))
    answer = dialog.handle(HeardSpeech("it's pretty bad"))

    assert question.expects_answer and "mild, moderate or severe" in question.text
    assert not answer.expects_answer
    symptoms = device.outbox("symptom")
    assert [(s.body.symptom, s.body.severity) for s in symptoms] == [
        ("headache", Severity.MODERATE)
    ]
    assert question.interaction.conversation_id == answer.interaction.conversation_id


def test_a_symptom_with_severity_is_logged_at_once(device: Device, dialog: DialogManager) -> None:
    reply = dialog.handle(HeardSpeech("my knee hurts really badly"))

    assert not reply.expects_answer
    symptom = device.outbox("symptom")[0].body
    assert (symptom.body_part, symptom.severity) == ("knee", Severity.SEVERE)
    assert any(a.body.alert_type is AlertType.SYMPTOM for a in device.outbox("alert"))


def test_an_emergency_raises_a_critical_alert_and_confirms(
    device: Device, dialog: DialogManager
) -> None:
    reply = say(dialog, "I've fallen and I can't get up")

    alerts = [a.body for a in device.outbox("alert")]
    assert [(a.alert_type, a.level) for a in alerts] == [(AlertType.EMERGENCY, AlertLevel.CRITICAL)]
    assert "fall" in alerts[0].message
    assert "help" in reply.lower()


def test_an_emergency_in_an_alternative_hypothesis_asks_and_alerts_without_an_answer(
    device: Device, dialog: DialogManager
) -> None:
    reply = dialog.handle(HeardSpeech("tell you now", alternatives=("help me now",)))
    device.advance(HELP_CHECK_TIMEOUT.total_seconds())

    assert reply.text == replies.ASK_HELP
    assert [a.body.level for a in device.outbox("alert")] == [AlertLevel.CRITICAL]


def test_anything_else_gets_a_short_polite_fallback(dialog: DialogManager) -> None:
    assert say(dialog, "tell me a joke") == FALLBACK


def test_each_exchange_is_an_interaction_in_a_conversation(
    device: Device, dialog: DialogManager
) -> None:
    say(dialog, "I took my pills")
    say(dialog, "what do I take tonight")
    device.advance(600)
    say(dialog, "thank you")

    interactions = [m.body for m in device.outbox("interaction")]
    assert [i.intent for i in interactions] == [
        Intent.REPORT_DOSE_TAKEN,
        Intent.MEDICATION_QUESTION,
        Intent.OTHER,
    ]
    first, second, third = (i.conversation_id for i in interactions)
    assert first == second != third
    assert interactions[0].understanding["intent"] == "report_dose_taken"
    assert all(i.reply for i in interactions)


def test_an_as_needed_medicine_by_name_is_recorded_within_its_limit(
    device: Device, dialog: DialogManager
) -> None:
    asked = say(dialog, "I took an ibuprofen")
    first = say(dialog, "yes")
    device.advance(60)
    say(dialog, "I took my ibuprofen")
    say(dialog, "yes")
    device.advance(60)
    say(dialog, "I took my ibuprofen")
    third = say(dialog, "yes")

    assert "ibuprofen" in asked.lower() and "is that right" in asked.lower()

    assert "1 of 2" in first
    assert "most allowed" in third
    assert states(device)["Metformin 08:00"] not in ("on_time", "late")


def test_a_repeated_yes_within_the_same_second_records_one_as_needed_dose(
    device: Device, dialog: DialogManager
) -> None:
    say(dialog, "I took an ibuprofen")
    first = say(dialog, "yes")
    say(dialog, "I took an ibuprofen")
    again = say(dialog, "yes")

    assert "1 of 2" in first and "1 of 2" in again
    assert len(device.outbox("dose_event")) == 1


def test_no_follow_up_after_the_window_closes(device: Device, dialog: DialogManager) -> None:
    dialog.handle(HeardSpeech("I feel dizzy"))
    device.advance(120)
    reply = dialog.handle(HeardSpeech("severe"))

    assert reply.text == FALLBACK
    assert device.outbox("symptom") == []


def test_later_in_the_day_the_evening_dose_is_the_one_taken(
    device_factory: Callable[..., Device],
) -> None:
    device = device_factory(local(2026, 6, 1, 19, 55))
    dialog = DialogManager(
        device.agent.actions, device.clock, timers=device.agent.loop, say=device.agent.say
    )
    device.advance_to(local(2026, 6, 1, 20, 1))

    say(dialog, "done with my evening tablets")
    say(dialog, "yes")

    assert states(device)["Metformin 20:00"] in ("on_time", "late")
