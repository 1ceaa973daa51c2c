"""Emergencies fail towards help: a doubtful one asks, and alerts unless clearly told no."""

from __future__ import annotations

from edge_agent.voice.dialog import DialogManager, HeardSpeech
from shared.dialog import HELP_CHECK_TIMEOUT, replies
from shared.enums import AlertLevel, AlertType, Button
from tests.edge_agent.factories import Device


def emergencies(device: Device) -> list[str]:
    return [
        a.body.message
        for a in device.outbox("alert")
        if (a.body.alert_type, a.body.level) == (AlertType.EMERGENCY, AlertLevel.CRITICAL)
    ]


def test_a_clear_emergency_alerts_at_once(device: Device, dialog: DialogManager) -> None:
    reply = dialog.handle(HeardSpeech("I've fallen and I can't get up"))

    assert len(emergencies(device)) == 1
    assert reply.text == replies.EMERGENCY


def test_a_doubtful_emergency_asks_whether_help_is_needed(
    device: Device, dialog: DialogManager
) -> None:
    reply = dialog.handle(HeardSpeech("I had a fall last week"))

    assert reply.text == replies.ASK_HELP
    assert reply.expects_answer
    assert emergencies(device) == []


def test_an_emergency_phrase_heard_with_low_confidence_asks_whether_help_is_needed(
    device: Device, dialog: DialogManager
) -> None:
    # The open search's guess after the grammar rejected its match: a danger word, not a call.
    reply = dialog.handle(HeardSpeech("I've fallen and I can't get up", confidence=0.2))

    assert reply.text == replies.ASK_HELP
    assert emergencies(device) == []
    device.advance(HELP_CHECK_TIMEOUT.total_seconds() + 1)
    assert len(emergencies(device)) == 1


def test_an_emergency_phrase_the_grammar_matched_alerts_at_once(
    device: Device, dialog: DialogManager
) -> None:
    reply = dialog.handle(HeardSpeech("I've fallen and I can't get up", confidence=0.6))

    assert reply.text == replies.EMERGENCY
    assert len(emergencies(device)) == 1


def test_no_answer_within_ten_seconds_of_virtual_time_alerts(
    device: Device, dialog: DialogManager
) -> None:
    dialog.handle(HeardSpeech("the floor"))
    device.advance(HELP_CHECK_TIMEOUT.total_seconds() - 1)
    before = emergencies(device)
    mark = device.mark()
    device.advance(1)

    assert before == []
    assert len(emergencies(device)) == 1
    assert "no answer" in emergencies(device)[0]
    assert replies.EMERGENCY in device.said_since(mark)


def test_yes_alerts_at_once(device: Device, dialog: DialogManager) -> None:
    dialog.handle(HeardSpeech("the floor"))
    dialog.handle(HeardSpeech("yes"))
    device.advance(60)

    assert len(emergencies(device)) == 1


def test_no_im_fine_cancels_and_is_logged(device: Device, dialog: DialogManager) -> None:
    dialog.handle(HeardSpeech("I had a fall last week"))
    reply = dialog.handle(HeardSpeech("no, I'm fine"))
    device.advance(60)

    assert reply.text == replies.HELP_CANCELLED
    assert emergencies(device) == []
    logged = [(i.body.transcript, i.body.reply) for i in device.outbox("interaction")]
    assert logged[-2:] == [
        ("I had a fall last week", replies.ASK_HELP),
        ("no, I'm fine", replies.HELP_CANCELLED),
    ]


def test_an_unclear_answer_alerts(device: Device, dialog: DialogManager) -> None:
    dialog.handle(HeardSpeech("the floor"))
    reply = dialog.handle(HeardSpeech("what did you say"))
    device.advance(60)

    assert reply.text == replies.HELP_UNCLEAR
    assert len(emergencies(device)) == 1


def test_a_clear_emergency_as_the_answer_alerts(device: Device, dialog: DialogManager) -> None:
    dialog.handle(HeardSpeech("the floor"))
    reply = dialog.handle(HeardSpeech("no, call an ambulance"))

    assert reply.text == replies.EMERGENCY
    assert len(emergencies(device)) == 1


def test_holding_talk_for_help_alerts_once_and_closes_the_question(
    device: Device, dialog: DialogManager
) -> None:
    device.agent.add_emergency_listener(dialog.help_given)
    dialog.handle(HeardSpeech("the floor"))
    device.hold(Button.TALK, 5)
    device.advance(60)

    assert emergencies(device) == ["talk button held."]
