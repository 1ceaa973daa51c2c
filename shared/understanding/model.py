"""The result of understanding one utterance: an intent and the slots that matter for it."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from shared.enums import Intent, Severity


class TimeReference(StrEnum):
    """When the patient's words point to, in the plan's local parts of day."""

    MORNING = "morning"
    NOON = "noon"
    AFTERNOON = "afternoon"
    EVENING = "evening"
    NIGHT = "night"
    TONIGHT = "tonight"
    TODAY = "today"
    NOW = "now"
    TOMORROW = "tomorrow"
    YESTERDAY = "yesterday"


class QuestionKind(StrEnum):
    """What a medication question asks, so the device can answer it from the local plan."""

    WHAT_TO_TAKE = "what_to_take"
    DID_I_TAKE = "did_i_take"
    NEXT_DOSE = "next_dose"
    ABOUT_MEDICATION = "about_medication"


class UnderstandingSource(StrEnum):
    """Which pass produced the result."""

    RULES = "rules"
    CLASSIFIER = "classifier"
    LLM = "llm"


class Understanding(BaseModel):
    """What an utterance means.

    `negated` is true when the patient denies the thing the intent names ("I did not take it" is
    `report_dose_taken` with `negated`): a negated report is never a confirmation, which
    `confirms_dose` spells out for callers.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    intent: Intent
    symptom: str | None = Field(default=None, max_length=60)
    body_part: str | None = Field(default=None, max_length=40)
    severity: Severity | None = None
    medication: str | None = Field(default=None, max_length=120)
    time_reference: TimeReference | None = None
    question: QuestionKind | None = None
    negated: bool = False
    source: UnderstandingSource = UnderstandingSource.RULES

    @property
    def confirms_dose(self) -> bool:
        """True only for an affirmative report that a dose was taken."""
        return self.intent is Intent.REPORT_DOSE_TAKEN and not self.negated

    @property
    def is_emergency(self) -> bool:
        return self.intent is Intent.EMERGENCY

    def as_record(self) -> dict[str, Any]:
        """The JSON-ready form stored in `InteractionBody.understanding`."""
        return self.model_dump(mode="json")
