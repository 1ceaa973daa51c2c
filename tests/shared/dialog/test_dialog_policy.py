"""The reply policy both voices follow: what an utterance leads to, and what counts as an answer."""

from __future__ import annotations

import pytest

from shared.dialog import Answer, Step, decide, parse_answer
from shared.understanding import understand


def step_for(text: str, alternatives: tuple[str, ...] = ()) -> Step:
    outcome = understand(text, alternatives=alternatives)
    return decide(outcome.understanding, text)


@pytest.mark.parametrize(
    "text", ["yes", "Yes please", "yeah", "that's right", "um, yes", "correct", "yes I did"]
)
def test_a_short_clear_yes_is_yes(text: str) -> None:
    assert parse_answer(text) is Answer.YES


@pytest.mark.parametrize(
    "text", ["no", "No, I'm fine", "nope", "I'm all right", "that's wrong", "no thank you"]
)
def test_a_short_clear_no_is_no(text: str) -> None:
    assert parse_answer(text) is Answer.NO


@pytest.mark.parametrize(
    "text",
    [
        "yes but not the metformin",
        "I think so",
        "maybe",
        "what did you say",
        "yesterday",
        "I took my pills",
        "",
    ],
)
def test_anything_else_is_no_answer(text: str) -> None:
    assert parse_answer(text) is None


def test_a_dose_report_asks_for_confirmation() -> None:
    assert step_for("I took my pills") is Step.CONFIRM_DOSE


@pytest.mark.parametrize(
    "text",
    [
        "I didn't take my pills",  # negated
        "I'll take my tablets after lunch",  # future
        "if I feel better I'll have the aspirin",  # conditional
        "I'm going to have my pills shortly",  # intended
    ],
)
def test_statements_that_say_no_dose_was_taken_never_ask_to_record(text: str) -> None:
    assert step_for(text) is not Step.CONFIRM_DOSE


def test_uncertainty_about_a_dose_is_a_question() -> None:
    assert step_for("perhaps I had them, I can't be sure") is Step.QUESTION


@pytest.mark.parametrize(
    "text",
    [
        "I've fallen and I can't get up",
        "Mum has collapsed in the kitchen",
        "my husband fell",
        "I fell over the telly cable and I can't get up",
        # Told by someone present, or the patient's danger beside a screen or a weekday.
        "I'm her sister, she's collapsed",
        "I'm watching the news on the tv and I've got crushing chest pain",
        "I fell on Monday and I've been on the floor since",
    ],
)
def test_a_clear_emergency_alerts_at_once(text: str) -> None:
    assert step_for(text) is Step.ALERT


@pytest.mark.parametrize(
    "text",
    [
        "the floor",  # one danger word, the safety net alone
        "I had a fall last week",  # a fall in passing
        "my sister had a heart attack years ago",  # about another time
        "a bit breathless after the stairs",  # mild, on exertion
    ],
)
def test_a_doubtful_emergency_asks_whether_help_is_needed(text: str) -> None:
    assert step_for(text) is Step.ASK_HELP


def test_an_emergency_heard_only_in_another_hypothesis_asks_first() -> None:
    assert step_for("I took my pills", ("I fell over",)) is Step.ASK_HELP


@pytest.mark.parametrize(
    "text", ["I can't breathe, it came on a bit after lunch", "I'm choking a bit after eating"]
)
def test_a_mild_word_beside_a_severe_breathing_phrase_still_alerts(text: str) -> None:
    assert step_for(text) is Step.ALERT
