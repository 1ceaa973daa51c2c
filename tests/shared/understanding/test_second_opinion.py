"""The paraphrase classifier beside the rules: what it may decide, and what it never does."""

from __future__ import annotations

import pytest

from shared.dialog import Step, decide
from shared.enums import Intent
from shared.understanding import UnderstandingSource, understand
from shared.understanding.classifier import NaiveBayes
from shared.understanding.rules import understand_by_rules
from shared.understanding.second_opinion import consult


def saying(intent: Intent, text: str) -> NaiveBayes:
    """A real classifier that learned `text` as `intent` and the other intents from unrelated
    words, so it is sure `text` means `intent`."""
    others = [(f"zebra quartz {other.value}", other) for other in Intent if other is not intent]
    classifier = NaiveBayes([(text, intent), *others])
    guess = classifier.guess(text)
    assert guess is not None and guess.intent is intent and guess.probability > 0.9
    return classifier


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("I've got a crick in my neck", Intent.LOG_SYMPTOM),
        ("what should I be taking right now", Intent.MEDICATION_QUESTION),
        ("giving my evening dose a rest tonight", Intent.SKIP_DOSE),
    ],
)
def test_a_paraphrase_the_rules_miss_is_understood(text: str, intent: Intent) -> None:
    by_rules = understand(text, paraphrases=False).understanding
    result = understand(text).understanding

    assert by_rules.intent is Intent.OTHER
    assert (result.intent, result.source) == (intent, UnderstandingSource.CLASSIFIER)


@pytest.mark.parametrize(
    "text",
    ["my legs gave way and I'm on the carpet", "I can't lift my right arm and my face feels numb"],
)
def test_an_emergency_only_the_classifier_hears_asks_whether_help_is_needed(text: str) -> None:
    result = understand(text).understanding

    assert result.intent is Intent.EMERGENCY
    assert result.source is UnderstandingSource.CLASSIFIER
    assert decide(result, text) is Step.ASK_HELP


def test_a_classifier_emergency_overrides_even_a_confident_rule() -> None:
    text = "my knee hurts"
    verdict = understand_by_rules(text)

    result = consult(text, verdict, classifier=saying(Intent.EMERGENCY, text)).understanding

    assert verdict.confident and verdict.understanding.intent is Intent.LOG_SYMPTOM
    assert result.intent is Intent.EMERGENCY
    assert decide(result, text) is Step.ASK_HELP


@pytest.mark.parametrize(
    "text",
    ["the weather is bad for my knee today", "my tummy is doing somersaults", "the pills", "it"],
)
def test_the_classifier_never_makes_a_dose_taken_report(text: str) -> None:
    result = consult(
        text, understand_by_rules(text), classifier=saying(Intent.REPORT_DOSE_TAKEN, text)
    )

    assert not result.understanding.confirms_dose
    assert decide(result.understanding, text) is not Step.CONFIRM_DOSE


def test_a_dose_report_it_hears_with_an_intention_is_a_negated_report() -> None:
    text = "I'll get to my pills after the news"

    result = understand(text).understanding

    assert (result.intent, result.negated) == (Intent.REPORT_DOSE_TAKEN, True)
    assert decide(result, text) is Step.NOT_TAKEN


def test_a_skip_it_hears_in_a_statement_of_intent_is_a_negated_report() -> None:
    text = "I'll do my inhaler later"
    verdict = understand_by_rules(text)

    result = consult(text, verdict, classifier=saying(Intent.SKIP_DOSE, text)).understanding

    assert (result.intent, result.negated) == (Intent.REPORT_DOSE_TAKEN, True)


@pytest.mark.parametrize("text", ["the tablet is on the table", "my pills are in the kitchen"])
def test_a_skip_it_hears_without_a_refusal_is_not_taken(text: str) -> None:
    verdict = understand_by_rules(text)

    result = consult(text, verdict, classifier=saying(Intent.SKIP_DOSE, text))

    assert result == verdict


def test_confident_rules_keep_their_result() -> None:
    text = "I took my pills"

    result = consult(text, understand_by_rules(text), classifier=saying(Intent.OTHER, text))

    assert result.understanding.confirms_dose
    assert result.understanding.source is UnderstandingSource.RULES


def test_the_model_is_not_asked_once_the_classifier_decided() -> None:
    class NoModel:
        def complete(self, request: object) -> object:
            raise AssertionError("the model was asked")

    outcome = understand("I've got a crick in my neck", NoModel())  # type: ignore[arg-type]

    assert outcome.llm_call is None
    assert outcome.understanding.source is UnderstandingSource.CLASSIFIER
