"""Scoring the understanding on a labelled utterance file (the format of
`tests/shared/understanding/utterances.yaml`).

Each entry has `text` and `intent`, and optionally the slots to score. The same scoring serves
typed text and text that went through speech (espeak-ng -> STT): the caller passes the text to
understand for each entry.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict

from shared.enums import Intent
from shared.understanding import Understanding

SLOTS = ("symptom", "body_part", "severity", "medication", "time_reference", "negated")


class LabelledUtterance(BaseModel):
    """One entry of the evaluation file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    text: str
    intent: Intent
    symptom: str | None = None
    body_part: str | None = None
    severity: str | None = None
    medication: str | None = None
    time_reference: str | None = None
    negated: bool | None = None

    def labelled_slots(self) -> dict[str, object]:
        return {slot: getattr(self, slot) for slot in SLOTS if slot in self.model_fields_set}


def load_utterances(path: Path) -> list[LabelledUtterance]:
    """Entries of a labelled file; raises ValueError naming the bad entry."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(raw, list):
        raise ValueError(f"{path}: expected a list of utterances")
    entries = []
    for index, item in enumerate(raw, start=1):
        try:
            entries.append(LabelledUtterance.model_validate(item))
        except ValueError as exc:
            raise ValueError(f"{path}: entry {index} ({item!r}) is invalid: {exc}") from exc
    return entries


@dataclass(frozen=True)
class Scored:
    """One utterance, what was heard, what it was understood as, and the slot mistakes."""

    entry: LabelledUtterance
    heard: str
    result: Understanding
    slot_errors: dict[str, tuple[object, object]]

    @property
    def intent_correct(self) -> bool:
        return self.result.intent is self.entry.intent

    @property
    def false_taken(self) -> bool:
        """Understood as a dose taken although the words did not say one was taken."""
        said_taken = self.entry.intent is Intent.REPORT_DOSE_TAKEN and not self.entry.negated
        return self.result.confirms_dose and not said_taken

    @property
    def false_alarm(self) -> bool:
        return self.result.is_emergency and self.entry.intent is not Intent.EMERGENCY


@dataclass(frozen=True)
class IntentScore:
    intent: Intent
    support: int
    predicted: int
    correct: int

    @property
    def precision(self) -> float:
        return self.correct / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        return self.correct / self.support if self.support else 1.0


@dataclass
class Report:
    """All scored utterances with per-intent precision/recall and overall figures."""

    scored: list[Scored] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        return sum(item.intent_correct for item in self.scored) / max(len(self.scored), 1)

    @property
    def slot_accuracy(self) -> float:
        checked = sum(len(item.entry.labelled_slots()) for item in self.scored)
        wrong = sum(len(item.slot_errors) for item in self.scored)
        return (checked - wrong) / checked if checked else 1.0

    def per_intent(self) -> list[IntentScore]:
        return [
            IntentScore(
                intent=intent,
                support=sum(item.entry.intent is intent for item in self.scored),
                predicted=sum(item.result.intent is intent for item in self.scored),
                correct=sum(
                    item.entry.intent is intent and item.intent_correct for item in self.scored
                ),
            )
            for intent in Intent
        ]

    def recall_of(self, intent: Intent) -> float:
        return next(score.recall for score in self.per_intent() if score.intent is intent)

    @property
    def false_taken(self) -> int:
        return sum(item.false_taken for item in self.scored)

    @property
    def false_alarms(self) -> int:
        return sum(item.false_alarm for item in self.scored)

    def mistakes(self) -> list[Scored]:
        return [item for item in self.scored if not item.intent_correct or item.slot_errors]

    def summary(self) -> dict[str, Any]:
        """The figures as one JSON-ready object."""
        return {
            "utterances": len(self.scored),
            "accuracy": round(self.accuracy, 4),
            "slot_accuracy": round(self.slot_accuracy, 4),
            "emergency_recall": round(self.recall_of(Intent.EMERGENCY), 4),
            "false_taken": self.false_taken,
            "emergency_false_alarms": self.false_alarms,
            "per_intent": {
                score.intent.value: {
                    "precision": round(score.precision, 4),
                    "recall": round(score.recall, 4),
                    "support": score.support,
                }
                for score in self.per_intent()
            },
        }


def score_one(entry: LabelledUtterance, heard: str, result: Understanding) -> Scored:
    errors: dict[str, tuple[object, object]] = {}
    for slot, expected in entry.labelled_slots().items():
        got = getattr(result, slot)
        got_value = got.value if hasattr(got, "value") else got
        if slot == "negated" and result.intent is not entry.intent:
            continue
        if got_value != expected:
            errors[slot] = (expected, got_value)
    return Scored(entry=entry, heard=heard, result=result, slot_errors=errors)


Understander = Callable[[str, tuple[str, ...]], Understanding]


def evaluate(
    entries: Iterable[LabelledUtterance],
    understand_text: Understander,
    hear: Callable[[LabelledUtterance], tuple[str, tuple[str, ...]]] | None = None,
) -> Report:
    """Score every entry. `hear` turns an entry into what was heard: the text and alternative
    hypotheses (default: typed, the text itself)."""
    report = Report()
    for entry in entries:
        heard, alternatives = (entry.text, ()) if hear is None else hear(entry)
        report.scored.append(score_one(entry, heard, understand_text(heard, alternatives)))
    return report


def format_report(report: Report, title: str, show_mistakes: bool = True) -> Sequence[str]:
    """Human-readable lines: per-intent P/R, accuracy, emergency recall, then the mistakes."""
    lines = [f"== {title}: {len(report.scored)} utterances"]
    lines.append(f"{'intent':<22}{'precision':>10}{'recall':>8}{'support':>9}")
    for score in report.per_intent():
        lines.append(
            f"{score.intent.value:<22}{score.precision:>10.3f}{score.recall:>8.3f}"
            f"{score.support:>9}"
        )
    lines.append(f"intent accuracy   {report.accuracy:.3f}")
    lines.append(f"slot accuracy     {report.slot_accuracy:.3f}")
    lines.append(f"emergency recall  {report.recall_of(Intent.EMERGENCY):.3f}")
    lines.append(f"false alarms      {report.false_alarms}")
    lines.append(f"false 'taken'     {report.false_taken}")
    if show_mistakes:
        for item in report.mistakes():
            heard = "" if item.heard == item.entry.text else f" (heard {item.heard!r})"
            lines.append(
                f"  x {item.entry.text!r}{heard}: expected {item.entry.intent.value}, got "
                f"{item.result.intent.value} [{item.result.source.value}]"
                + (f" slots {item.slot_errors}" if item.slot_errors else "")
            )
    return lines
