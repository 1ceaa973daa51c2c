"""`understand`: emergency rules first, then rules and the model combined as measured.

`medmind voice eval --model --strategy ...` compared the three ways to combine them, with the
gemma-3-270m runner (intent accuracy, typed):

    set (utterances)                 rules_only  rules_then_model  model_first
    tests/edge_agent/voice/utterances (192)        1.000         0.990           0.552
    heldout (62), before rule tuning    0.645         0.774           0.565
    blind2 (40), never tuned on         0.800         0.825           0.525

The default, `Strategy.RULES_THEN_MODEL`, generalises best: the rules decide when they are
confident, the model decides the rest, and an emergency found by rules is never overridden.
Before the model, the paraphrase classifier gives its second opinion
(`shared.understanding.second_opinion`): what it decides, the model is not asked about.
The model's output always goes through the same validation, and a model that fails or writes
nonsense leaves the rules' result in place.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from pydantic import ValidationError

from shared.messages import LlmCall
from shared.understanding.grammar import OUTPUT_GRAMMAR, OUTPUT_JSON_SCHEMA
from shared.understanding.model import Understanding
from shared.understanding.prompt import build_prompt, parse_output
from shared.understanding.rules import RuleVerdict, understand_by_rules, understanding_as
from shared.understanding.runner import CompletionRequest, ModelRunner
from shared.understanding.second_opinion import consult

# Room for the longest answer the grammar allows ('{"intent":"report_dose_taken","negated":true}').
MAX_OUTPUT_TOKENS = 16


class Strategy(StrEnum):
    """How rules and model combine (the evaluation compares them)."""

    RULES_ONLY = "rules_only"
    RULES_THEN_MODEL = "rules_then_model"
    MODEL_FIRST = "model_first"


@dataclass(frozen=True)
class UnderstandingOutcome:
    """The result, the model pass when there was one, and how long understanding took."""

    understanding: Understanding
    llm_call: LlmCall | None
    latency_ms: float


def understand(
    text: str,
    runner: ModelRunner | None = None,
    *,
    known_medications: Sequence[str] = (),
    alternatives: Sequence[str] = (),
    strategy: Strategy = Strategy.RULES_THEN_MODEL,
    paraphrases: bool = True,
) -> UnderstandingOutcome:
    """Understand one utterance. Without a runner (or with `RULES_ONLY`) rules decide alone.

    `known_medications` are the patient's medication names, so rules recognise them.
    `alternatives` are other hypotheses of the recogniser: the emergency rules run on them too,
    because a misheard "help" must still be an emergency. `paraphrases` lets the paraphrase
    classifier give its second opinion (`shared.understanding.second_opinion`).
    """
    started = time.perf_counter()
    verdict = understand_by_rules(text, known_medications)
    if not verdict.understanding.is_emergency:
        verdict = _emergency_in(alternatives) or verdict
    if paraphrases:
        verdict = consult(text, verdict, known_medications)
    if not _wants_model(verdict, runner, strategy):
        return UnderstandingOutcome(verdict.understanding, None, _since(started))
    assert runner is not None
    from_model, llm_call = _ask_model(text, runner)
    result = verdict.understanding
    if from_model is not None and _may_decide(from_model, verdict.understanding):
        result = _complete(from_model, text, known_medications)
    return UnderstandingOutcome(result, llm_call, _since(started))


def _may_decide(from_model: Understanding, by_rules: Understanding) -> bool:
    """The model never turns anything into a report that a dose was taken (issue 18: it made
    symptoms and remarks into dose reports) and never takes an emergency back."""
    if from_model.confirms_dose and not by_rules.confirms_dose:
        return False
    return not by_rules.is_emergency


def _emergency_in(alternatives: Sequence[str]) -> RuleVerdict | None:
    for alternative in alternatives:
        verdict = understand_by_rules(alternative)
        if verdict.understanding.is_emergency:
            return verdict
    return None


def _wants_model(verdict: RuleVerdict, runner: ModelRunner | None, strategy: Strategy) -> bool:
    if runner is None or strategy is Strategy.RULES_ONLY:
        return False
    if verdict.understanding.is_emergency:
        return False
    return strategy is Strategy.MODEL_FIRST or not verdict.confident


def _ask_model(text: str, runner: ModelRunner) -> tuple[Understanding | None, LlmCall | None]:
    request = CompletionRequest(
        prompt=build_prompt(text),
        grammar=OUTPUT_GRAMMAR,
        json_schema=OUTPUT_JSON_SCHEMA,
        max_tokens=MAX_OUTPUT_TOKENS,
    )
    try:
        completion = runner.complete(request)
    except (RuntimeError, ValueError, OSError):
        return None, None
    call = LlmCall(
        model_name=completion.model_name[:120],
        model_version=completion.model_version[:120],
        prompt=request.prompt[-16_000:],
        output=completion.text[:4000],
        latency_ms=max(completion.latency_ms, 0.0),
        prompt_tokens=completion.prompt_tokens,
        completion_tokens=completion.completion_tokens,
    )
    try:
        return parse_output(completion.text), call
    except (ValueError, ValidationError):
        return None, call


def _complete(
    from_model: Understanding, text: str, known_medications: Sequence[str]
) -> Understanding:
    """The model's intent with the slots the rules find for it; negated when either the model
    or the rules hear a negation (the model never makes a dose report affirmative)."""
    slots = understanding_as(from_model.intent, text, known_medications)
    negated = slots.negated or from_model.negated
    if slots.intent is not from_model.intent:
        # The rules heard an intention in what the model took for a skip ("I'll do it later").
        return slots.model_copy(update={"source": from_model.source})
    return slots.model_copy(update={"negated": negated, "source": from_model.source})


def _since(started: float) -> float:
    return (time.perf_counter() - started) * 1000.0
