"""The dialog manager: one heard utterance in, the action taken and the words to say out.

Emergencies raise a critical alert before anything is said. A symptom without a severity gets
one follow-up question; the answer (or anything else) closes it. Negated reports are never
confirmations. Every exchange is recorded as an interaction of a conversation (local row and
outbox message); exchanges less than `CONVERSATION_GAP` apart share a conversation.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from edge_agent.actions import Actions, Answer
from edge_agent.clock import Clock
from edge_agent.day_parts import PartOfDay
from shared.enums import DoseSource, Intent, Severity
from shared.messages import InteractionBody
from shared.understanding import (
    ModelRunner,
    QuestionKind,
    TimeReference,
    Understanding,
    detect_emergency,
    normalize,
    parse_severity,
    understand,
)

CONVERSATION_GAP = timedelta(minutes=2)
FOLLOW_UP_WINDOW = timedelta(minutes=1)

FALLBACK = (
    "Sorry, I did not understand. You can tell me you took your pills, ask what you take, "
    "or tell me how you feel."
)
NOT_HEARD = "Sorry, I did not hear anything. Press the talk button and try again."
NOT_CONFIRMED = "All right, I have not marked anything as taken."
GLAD = "I am glad to hear that."
ABOUT_MEDICATION = (
    "I can tell you what you take and when. For questions about a medicine itself, please ask "
    "your doctor or pharmacist."
)

_PARTS: dict[TimeReference, PartOfDay] = {
    TimeReference.MORNING: PartOfDay.MORNING,
    TimeReference.NOON: PartOfDay.AFTERNOON,
    TimeReference.AFTERNOON: PartOfDay.AFTERNOON,
    TimeReference.EVENING: PartOfDay.EVENING,
    TimeReference.NIGHT: PartOfDay.NIGHT,
    TimeReference.TONIGHT: PartOfDay.TONIGHT,
    TimeReference.TODAY: PartOfDay.TODAY,
    TimeReference.TOMORROW: PartOfDay.TODAY,
    TimeReference.YESTERDAY: PartOfDay.TODAY,
}


@dataclass(frozen=True)
class HeardSpeech:
    """What the recogniser made of an utterance (typed input has no engine)."""

    text: str
    engine: str | None = None
    stt_latency_ms: float | None = None
    alternatives: tuple[str, ...] = ()


@dataclass(frozen=True)
class Reply:
    """What the device says, whether it expects an answer, and the recorded interaction."""

    text: str
    understanding: Understanding
    expects_answer: bool
    interaction: InteractionBody
    understanding_ms: float


@dataclass
class _PendingSymptom:
    symptom: str
    body_part: str | None
    asked_at: datetime


class DialogManager:
    """Turns utterances into device actions and replies, one exchange at a time."""

    def __init__(
        self,
        actions: Actions,
        clock: Clock,
        *,
        runner: ModelRunner | None = None,
    ) -> None:
        self.actions = actions
        self.clock = clock
        self.runner = runner
        self._conversation: UUID | None = None
        self._last_exchange: datetime | None = None
        self._pending: _PendingSymptom | None = None

    @property
    def awaiting_answer(self) -> bool:
        return self._pending is not None

    def handle(self, heard: HeardSpeech) -> Reply:
        """Act on one utterance and record the exchange."""
        started_at = self.clock.now()
        conversation = self._conversation_at(started_at)
        outcome = understand(
            heard.text,
            self.runner,
            known_medications=self._plan_medications(),
            alternatives=heard.alternatives,
        )
        result = outcome.understanding
        text, expects_answer = self._respond(heard, result, conversation, started_at)
        interaction = InteractionBody(
            conversation_id=conversation,
            started_at=started_at,
            transcript=heard.text[:2000],
            stt_engine=heard.engine,
            stt_latency_ms=heard.stt_latency_ms,
            intent=result.intent,
            understanding=result.as_record(),
            understood_by=result.source.value,
            reply=text[:2000],
            latency_ms=outcome.latency_ms,
            llm=outcome.llm_call,
        )
        self.actions.record_interaction(interaction)
        self._last_exchange = self.clock.now()
        return Reply(text, result, expects_answer, interaction, outcome.latency_ms)

    def _plan_medications(self) -> list[str]:
        plan = self.actions.context.store.current_plan()
        return [item.medication_name for item in plan.items] if plan is not None else []

    def not_heard(self) -> str:
        """What to say when listening ended without speech (nothing is recorded)."""
        return NOT_HEARD

    # -- responses -------------------------------------------------------------------------

    def _respond(
        self, heard: HeardSpeech, result: Understanding, conversation: UUID, now: datetime
    ) -> tuple[str, bool]:
        if result.is_emergency:
            self._pending = None
            return self._emergency(heard.text, conversation), False
        pending, self._pending = self._pending, None
        if pending is not None and now - pending.asked_at <= FOLLOW_UP_WINDOW:
            severity = parse_severity(normalize(heard.text))
            if severity is not None or result.intent in (Intent.OTHER, Intent.LOG_SYMPTOM):
                return self._log_symptom(
                    pending.symptom, pending.body_part, severity, heard.text, conversation
                ), False
        if result.intent is Intent.REPORT_DOSE_TAKEN:
            return self._dose_taken(result), False
        if result.intent is Intent.SKIP_DOSE:
            return self.actions.skip_due(f"said: {heard.text}"[:200], DoseSource.VOICE).text, False
        if result.intent is Intent.MEDICATION_QUESTION:
            return self._question(heard.text, result, conversation), False
        if result.intent is Intent.LOG_SYMPTOM:
            return self._symptom(heard.text, result, conversation, now)
        return FALLBACK, False

    def _emergency(self, text: str, conversation: UUID) -> str:
        match = detect_emergency(normalize(text))
        what = f" ({match.kind.value.replace('_', ' ')})" if match else ""
        return self.actions.emergency(
            f"Emergency heard{what}: {text!r}"[:2000], conversation_id=conversation
        ).text

    def _dose_taken(self, result: Understanding) -> str:
        if not result.confirms_dose:
            due = self.actions.due_now()
            return NOT_CONFIRMED if not due.doses else f"{NOT_CONFIRMED} {due.text}"
        if result.medication and self._is_as_needed(result.medication):
            return self.actions.take_as_needed(result.medication, DoseSource.VOICE).text
        return self.actions.take_due(DoseSource.VOICE).text

    def _is_as_needed(self, medication: str) -> bool:
        plan = self.actions.context.store.current_plan()
        if plan is None:
            return False
        wanted = medication.lower()
        return any(
            item.as_needed
            and (wanted in item.medication_name.lower() or item.medication_name.lower() in wanted)
            for item in plan.items
        )

    def _question(self, text: str, result: Understanding, conversation: UUID) -> str:
        answer = self._answer(result)
        self.actions.record_question(
            text,
            answer.text,
            medication_name=result.medication,
            time_reference=result.time_reference.value if result.time_reference else None,
            conversation_id=conversation,
        )
        return answer.text

    def _answer(self, result: Understanding) -> Answer:
        part = _PARTS.get(result.time_reference) if result.time_reference else None
        question = result.question or QuestionKind.WHAT_TO_TAKE
        if question is QuestionKind.DID_I_TAKE:
            return self.actions.was_taken_today(result.medication, part)
        if question is QuestionKind.NEXT_DOSE:
            return self.actions.next_dose()
        if question is QuestionKind.ABOUT_MEDICATION:
            return Answer(ABOUT_MEDICATION)
        if part is None:
            due = self.actions.due_now()
            return due if due.doses else self.actions.next_dose()
        day = self.actions.context.local_now().date()
        if result.time_reference is TimeReference.TOMORROW:
            day += timedelta(days=1)
        elif result.time_reference is TimeReference.YESTERDAY:
            day -= timedelta(days=1)
        return self.actions.taken_at(part, day)

    def _symptom(
        self, text: str, result: Understanding, conversation: UUID, now: datetime
    ) -> tuple[str, bool]:
        if result.negated:
            return GLAD, False
        symptom = result.symptom or "not feeling well"
        if result.severity is None:
            self._pending = _PendingSymptom(symptom, result.body_part, now)
            return (
                f"I am sorry to hear that. How bad is your {symptom}: mild, moderate or severe?",
                True,
            )
        return self._log_symptom(
            symptom, result.body_part, result.severity, text, conversation
        ), False

    def _log_symptom(
        self,
        symptom: str,
        body_part: str | None,
        severity: Severity | None,
        note: str,
        conversation: UUID,
    ) -> str:
        return self.actions.log_symptom(
            symptom,
            severity=severity,
            body_part=body_part,
            note=note,
            conversation_id=conversation,
        ).text

    def _conversation_at(self, now: datetime) -> UUID:
        if (
            self._conversation is None
            or self._last_exchange is None
            or now - self._last_exchange > CONVERSATION_GAP
        ):
            self._conversation = uuid.uuid4()
            self._pending = None
        return self._conversation
