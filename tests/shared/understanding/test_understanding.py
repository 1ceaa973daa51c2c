"""The understanding on typed text: the evaluation set's figures, emergencies, negations, slots."""

from __future__ import annotations

from pathlib import Path

import pytest

from edge_agent.voice.evaluation import evaluate, format_report, load_utterances
from shared.enums import Intent, Severity
from shared.understanding import (
    Completion,
    CompletionRequest,
    QuestionKind,
    TimeReference,
    Understanding,
    UnderstandingSource,
    understand,
)

HERE = Path(__file__).parent


def rules(text: str, alternatives: tuple[str, ...] = ()) -> Understanding:
    return understand(text, alternatives=alternatives).understanding


def test_the_evaluation_set_scores_at_least_90_percent_with_every_emergency_found() -> None:
    entries = load_utterances(HERE / "utterances.yaml")
    report = evaluate(entries, rules)

    assert len(entries) >= 150
    assert {entry.intent for entry in entries} == set(Intent)
    details = "\n".join(format_report(report, "typed"))
    assert report.recall_of(Intent.EMERGENCY) == 1.0, details
    assert report.accuracy >= 0.9, details


def test_the_paraphrases_written_for_issue_18_score_at_least_95_percent_and_never_taken() -> None:
    entries = load_utterances(HERE / "paraphrases.yaml")
    report = evaluate(entries, rules)

    details = "\n".join(format_report(report, "typed"))
    assert len(entries) >= 400
    assert report.recall_of(Intent.EMERGENCY) == 1.0, details
    assert report.false_taken == 0, details
    assert report.accuracy >= 0.95, details


@pytest.mark.parametrize(
    "text",
    [
        "help",
        "I've fallen and I can't get up",
        "my chest feels tight",
        "I can't breathe",
        "my face is drooping",
        "call an ambulance",
        "um, er, I, I fell over",
        "I'm lying on the bathroom floor",
    ],
)
def test_emergencies_are_caught_by_rules_alone(text: str) -> None:
    result = rules(text)

    assert result.intent is Intent.EMERGENCY
    assert result.source is UnderstandingSource.RULES


@pytest.mark.parametrize(
    "text", ["I did not take it", "I haven't taken my tablets yet", "I forgot my metformin"]
)
def test_a_negated_report_is_never_a_confirmation(text: str) -> None:
    result = rules(text)

    assert result.intent is Intent.REPORT_DOSE_TAKEN
    assert result.negated and not result.confirms_dose


def test_help_with_something_is_not_an_emergency() -> None:
    assert rules("can you help me understand my pills").intent is not Intent.EMERGENCY


def test_a_denied_fall_is_not_an_emergency() -> None:
    result = rules("I didn't fall, I just sat down")

    assert result.intent is Intent.OTHER and result.negated


def test_slots_are_extracted() -> None:
    symptom = rules("my knee hurts really badly")
    question = rules("did I take my morning pills?")

    assert (symptom.symptom, symptom.body_part, symptom.severity) == (
        "pain",
        "knee",
        Severity.SEVERE,
    )
    assert (question.question, question.time_reference) == (
        QuestionKind.DID_I_TAKE,
        TimeReference.MORNING,
    )


def test_the_patients_own_medication_names_are_recognised() -> None:
    result = understand("I took my Zestril", known_medications=["Zestril"]).understanding

    assert (result.intent, result.medication) == (Intent.REPORT_DOSE_TAKEN, "Zestril")


class ScriptedRunner:
    """A model runner that answers from a script and counts its calls."""

    def __init__(self, output: str) -> None:
        self.output = output
        self.requests: list[CompletionRequest] = []

    def complete(self, request: CompletionRequest) -> Completion:
        self.requests.append(request)
        return Completion(self.output, 600, 9, 42.0, "scripted", "1")


# The model tests run without the paraphrase classifier, which would decide these phrasings
# before the model is asked (tests/shared/understanding/test_second_opinion.py).
def test_the_model_decides_only_where_rules_are_unsure_and_its_call_is_recorded() -> None:
    runner = ScriptedRunner('{"intent":"log_symptom","symptom":"nausea"}')

    sure = understand("I took my pills", runner, paraphrases=False)
    unsure = understand("my tummy is doing somersaults", runner, paraphrases=False)

    assert sure.llm_call is None and sure.understanding.source is UnderstandingSource.RULES
    assert unsure.understanding.intent is Intent.LOG_SYMPTOM
    assert unsure.understanding.source is UnderstandingSource.LLM
    assert unsure.llm_call is not None
    assert (unsure.llm_call.model_name, unsure.llm_call.completion_tokens) == ("scripted", 9)
    assert unsure.llm_call.prompt.endswith("Said: my tummy is doing somersaults\nJSON:")
    assert len(runner.requests) == 1


def test_the_model_never_overrides_an_emergency() -> None:
    runner = ScriptedRunner('{"intent":"other"}')

    outcome = understand("I fell", runner)

    assert outcome.understanding.intent is Intent.EMERGENCY and outcome.llm_call is None


def test_model_nonsense_leaves_the_rules_result_but_the_call_is_still_recorded() -> None:
    runner = ScriptedRunner("not json")

    outcome = understand("the weather is bad for my knee today", runner, paraphrases=False)

    assert outcome.understanding.source is UnderstandingSource.RULES
    assert outcome.llm_call is not None and outcome.llm_call.output == "not json"


def test_the_model_never_turns_a_symptom_or_remark_into_a_dose_report() -> None:
    runner = ScriptedRunner('{"intent":"report_dose_taken"}')

    symptom = understand("my tummy is doing somersaults", runner, paraphrases=False)
    remark = understand("the weather is bad for my knee today", runner, paraphrases=False)

    assert len(runner.requests) == 2, "the model was asked"
    assert not symptom.understanding.confirms_dose
    assert not remark.understanding.confirms_dose
    assert symptom.llm_call is not None, "the pass is still recorded"


@pytest.mark.parametrize(
    "text",
    [
        "right so I've, erm, I've had the metoprolol now with a bit of toast",
        "the sertraline's gone down, thanks",
        "I done me Ozempic this morning",
    ],
)
def test_a_named_medicine_is_heard_like_the_word_medicine_even_after_a_false_start(
    text: str,
) -> None:
    result = rules(text)

    assert result.intent is Intent.REPORT_DOSE_TAKEN and result.confirms_dose, result


@pytest.mark.parametrize(
    "text",
    [
        "not yet",
        "not taken",
        "later, later, I'll do it later",
        "when my daughter comes round she'll give me my insulin",
        "I ran out of my tablets so I couldn't take them",
    ],
)
def test_a_dose_not_taken_said_in_passing_is_a_negated_report(text: str) -> None:
    result = rules(text)

    assert result.intent is Intent.REPORT_DOSE_TAKEN, result
    assert result.negated and not result.confirms_dose


@pytest.mark.parametrize(
    "text", ["I'm dying for a cup of tea", "that film nearly gave me a heart attack"]
)
def test_figures_of_speech_raise_no_alarm(text: str) -> None:
    assert rules(text).intent is Intent.OTHER


@pytest.mark.parametrize(
    "text",
    [
        "I'm dying",
        "I've taken Harold's tablets instead of mine",
    ],
)
def test_dying_and_someone_elses_pills_are_emergencies(text: str) -> None:
    assert rules(text).intent is Intent.EMERGENCY


def test_low_mood_that_cannot_be_bothered_is_a_symptom_not_a_skip() -> None:
    assert rules("I'm feeling very low today, can't be bothered").intent is Intent.LOG_SYMPTOM


@pytest.mark.parametrize(
    "text",
    [
        "I'm nearly out of the gabapentin, how do I get more",
        "the doctor changed my ramipril, is that on here",
        "what are the side effects of the Ozempic, is feeling sick one of them",
        "did Mum have her tablets at lunch, only I wasn't here",
        "tell me again what the yellow tablets are for",
        "I can never remember if the statin's meant to be at night",
        "can I have a glass of wine with these",
        "is it today I start the new patch or is it tomorrow",
        "What are they for again?",
        "Which one is for my heart?",
        "Do these go in the fridge?",
    ],
)
def test_supply_changes_and_questions_said_in_passing_are_medication_questions(
    text: str,
) -> None:
    assert rules(text).intent is Intent.MEDICATION_QUESTION


@pytest.mark.parametrize(
    "text",
    ["he's had his evening lot with his supper", "took em", "put the new patch on this morning"],
)
def test_a_carers_report_and_clipped_words_are_dose_reports(text: str) -> None:
    assert rules(text).confirms_dose


def test_an_illness_had_is_no_dose() -> None:
    assert rules("I had a dose of the flu back in the eighties").intent is not (
        Intent.REPORT_DOSE_TAKEN
    )


def test_blood_in_vomit_is_an_emergency() -> None:
    assert rules("there's blood in my sick").intent is Intent.EMERGENCY


@pytest.mark.parametrize(
    "text", ["Give me five minutes.", "Hold on, I'm getting a glass of water for them."]
)
def test_a_reply_that_puts_the_dose_off_is_a_negated_report(text: str) -> None:
    result = rules(text)

    assert result.intent is Intent.REPORT_DOSE_TAKEN and not result.confirms_dose


def test_a_dose_report_with_a_mild_symptom_after_it_stays_a_dose_report() -> None:
    assert rules("Yes I took it, I just feel a tiny bit dizzy").confirms_dose


@pytest.mark.parametrize(
    "text", ["she refuses her tablets tonight", "I'm leaving the water tablet today"]
)
def test_refusing_or_leaving_a_named_dose_is_a_skip(text: str) -> None:
    assert rules(text).intent is Intent.SKIP_DOSE


@pytest.mark.parametrize(
    "text",
    [
        "I've cut myself and it won't stop",
        "she's taken a load of her tablets on purpose",
        "the little one's got into my tablets and eaten some",
        "my sugar's gone very low, I'm shaking and sweating",
    ],
)
def test_bleeding_overdose_a_child_at_the_pills_and_low_sugar_are_emergencies(text: str) -> None:
    assert rules(text).intent is Intent.EMERGENCY


@pytest.mark.parametrize(
    "text",
    [
        "I havenae had my tablets the day",
        "she didnae take her pills",
        "I've no taken the metformin yet",
        "he's not after having his tablets",
        "mi neva tek mi pills dis mornin",
        "I've not had the little white ones yet",
        "I was supposed to do my inhaler at eight but I got distracted",
        "I thought I'd had my aspirin but the packet says otherwise",
        "sorting them out now",
        "fetching a drink to take my tablets with",
    ],
)
def test_dialect_negations_intentions_and_doses_under_way_never_confirm_a_dose(text: str) -> None:
    result = rules(text)

    assert not result.confirms_dose, result


@pytest.mark.parametrize(
    "text",
    [
        "I can't for the life of me remember if I had my pills",
        "I don't know whether I took the evening one",
    ],
)
def test_doubt_about_a_past_dose_is_a_question_not_a_report(text: str) -> None:
    result = rules(text)

    assert (result.intent, result.question) == (
        Intent.MEDICATION_QUESTION,
        QuestionKind.DID_I_TAKE,
    )


@pytest.mark.parametrize(
    "text",
    [
        "the nurse said hold his warfarin until Friday",
        "we're pausing her statin this week",
        "I shan't be having my evening tablets",
    ],
)
def test_a_dose_held_on_advice_or_refused_is_a_skip(text: str) -> None:
    assert rules(text).intent is Intent.SKIP_DOSE


@pytest.mark.parametrize(
    "text",
    [
        "I think I've taken about twelve of the blue tablets",
        "he had all his month's tablets at once",
        "Dad's swallowed the whole dosette box",
        "I'm all sweaty and shaky, my sugar is very low",
        "Mum doesn't recognise me, she's suddenly confused",
        "I don't know where I am",
        "I feel like this is the end",
        "I'm slipping away",
    ],
)
def test_many_pills_at_once_severe_confusion_and_a_low_sugar_are_emergencies(text: str) -> None:
    assert rules(text).intent is Intent.EMERGENCY


@pytest.mark.parametrize(
    "text",
    [
        "got it down with some juice",
        "had me inhaler after breakfast",
        "mi tek mi pills already",
        "the nurse gave me tablets at nine",
        "I wanted to leave it but I took them anyway",
        "I thought I had run out, but I found some and took them",
        "no, took them an hour ago",
        "I took my pills, not hungry yet though",
        "had my tablets with my toast, all sorted",
    ],
)
def test_plain_and_dialect_reports_of_a_dose_taken_confirm_it(text: str) -> None:
    assert rules(text).confirms_dose


@pytest.mark.parametrize(
    "text",
    [
        "can I come off the statins now my cholesterol is down?",
        "has Gran had her tablets yet?",
        "what am I on at night?",
        "when's the next batch",
        "the pharmacy gave me a different make, is that alright?",
    ],
)
def test_questions_without_a_medicine_word_or_asking_leave_are_medication_questions(
    text: str,
) -> None:
    assert rules(text).intent is Intent.MEDICATION_QUESTION


@pytest.mark.parametrize(
    "text",
    [
        "what am I having for dinner",
        "the tablet computer froze again",
        "my chest feels fine today",
        "she's had the runs twice since lunch",
    ],
)
def test_words_near_a_dose_or_danger_that_are_neither(text: str) -> None:
    result = rules(text)

    assert not result.confirms_dose and result.intent is not Intent.EMERGENCY, result
    assert result.intent is not Intent.MEDICATION_QUESTION, result


def test_asking_to_skip_todays_dose_is_still_a_skip() -> None:
    assert rules("can I skip it tonight").intent is Intent.SKIP_DOSE


@pytest.mark.parametrize(
    "text",
    [
        "I got it down from the cupboard",
        "got it down to one tablet a day now",
        "I've done her dosette box for the week",
        "I have a dosette box now",
        "I took what was in the tray back to the chemist",
    ],
)
def test_handling_the_medicine_or_its_box_is_no_dose_taken(text: str) -> None:
    assert not rules(text).confirms_dose, rules(text)


@pytest.mark.parametrize(
    "text",
    [
        "I took my 8 o'clock pills",
        "I took my 20 mg tablets this morning",
        "I had six pills this morning as usual",
        "I swallowed my morning pills all at once",
        "I've put all my week's tablets in the dosette",
        "I don't know where he is",
        "I don't know where we are going for Christmas",
        "the dog does not recognise me in my hat",
        "the new remote suddenly confused me",
        "I was sweating in the garden, my sugar is low normal today",
        "this is the end of the pills, I need more",
    ],
)
def test_numbers_labels_and_everyday_muddle_raise_no_alarm(text: str) -> None:
    assert rules(text).intent is not Intent.EMERGENCY


@pytest.mark.parametrize(
    "text",
    [
        "I held the pill in my mouth and swallowed it",
        "hold my hand while I take my tablets",
        "pause the radio, I'm taking my pills",
    ],
)
def test_holding_or_pausing_something_else_is_no_skip(text: str) -> None:
    assert rules(text).intent is not Intent.SKIP_DOSE


@pytest.mark.parametrize(
    "text",
    ["can I stop the alarm?", "can I cut my toenails today?", "what are we having tonight"],
)
def test_everyday_questions_are_not_about_medicines(text: str) -> None:
    assert rules(text).intent is not Intent.MEDICATION_QUESTION
