"""No dose is recorded from the words alone: a dose report is confirmed first (issue 18)."""

from __future__ import annotations

import pytest

from edge_agent.voice.dialog import NOT_CONFIRMED, DialogManager, HeardSpeech
from shared.dialog import replies
from shared.enums import Button
from tests.edge_agent.factories import Device


def say(dialog: DialogManager, text: str) -> str:
    return dialog.handle(HeardSpeech(text)).text


def taken(device: Device) -> list[str]:
    return [
        f"{r.medication_name} {r.local_time}"
        for r in device.occurrences()
        if r.state.value in ("on_time", "late")
    ]


@pytest.mark.parametrize(
    "text",
    [
        "I took my pills",  # a clear report, not yet confirmed
        "I didn't take my tablets",  # negated
        "I'll take my pills after my walk",  # future
        "if the nausea stops I'll have the metformin",  # conditional
        "I'm about to take my morning tablets",  # under way
        "maybe I had my pills, I really can't say",  # uncertain
        "the tablet is on the table",  # a remark
        "I forgot pill",  # a recogniser slip
    ],
)
def test_no_statement_records_a_dose_on_its_own(
    device: Device, dialog: DialogManager, text: str
) -> None:
    say(dialog, text)

    assert taken(device) == []
    assert device.outbox("dose_event") == []


def test_a_report_is_answered_with_what_a_yes_would_record(dialog: DialogManager) -> None:
    reply = dialog.handle(HeardSpeech("I've had my morning tablets"))

    assert reply.expects_answer
    assert reply.text == replies.confirm_dose("Aspirin, 500 mg and Metformin, 500 mg")


def test_a_clear_yes_records_exactly_the_doses_named(device: Device, dialog: DialogManager) -> None:
    say(dialog, "I took my pills")
    reply = say(dialog, "yes please")

    assert sorted(taken(device)) == ["Aspirin 08:00", "Metformin 08:00"]
    assert "recorded" in reply


@pytest.mark.parametrize("answer", ["no", "not yet", "hmm, I think so", "what time is it"])
def test_anything_but_a_clear_yes_records_nothing_and_says_so(
    device: Device, dialog: DialogManager, answer: str
) -> None:
    say(dialog, "I took my pills")
    reply = say(dialog, answer)

    assert taken(device) == []
    assert reply.startswith(NOT_CONFIRMED)


def test_a_yes_after_the_follow_up_window_confirms_nothing(
    device: Device, dialog: DialogManager
) -> None:
    say(dialog, "I took my pills")
    device.advance(90)
    say(dialog, "yes")

    assert taken(device) == []


def test_the_taken_button_records_the_doses_after_a_report(
    device: Device, dialog: DialogManager
) -> None:
    say(dialog, "I took my pills")
    device.press(Button.TAKEN)

    assert sorted(taken(device)) == ["Aspirin 08:00", "Metformin 08:00"]


def test_a_report_with_nothing_due_asks_nothing_and_records_nothing(
    device: Device, dialog: DialogManager
) -> None:
    say(dialog, "I took my pills")
    say(dialog, "yes")
    again = dialog.handle(HeardSpeech("I took my pills"))

    assert again.text == replies.NOTHING_TO_RECORD
    assert not again.expects_answer
