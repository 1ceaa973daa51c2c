"""The dialog manager: one heard utterance in, the action taken and the words to say out.

It follows the shared reply policy (`shared.dialog`):

- A clear emergency raises a critical alert before anything is said. A doubtful one asks "Do
  you need help?" and alerts on yes, on anything but a clear no, or when no answer came within
  `HELP_CHECK_TIMEOUT` (a timer on the agent's loop, so virtual time drives it); "no, I'm fine"
  cancels, and the cancelled check stays in the log as its interaction.
- No dose is recorded from the words alone: a dose report is answered with a confirmation that
  names what would be recorded, and only a clear yes (or the TAKEN button) records it.
  Negated, future, conditional and uncertain statements never record.
- A symptom without a severity gets one follow-up question; the answer (or anything else)
  closes it.

Every exchange is recorded as an interaction of a conversation (local row and outbox message);
exchanges less than `CONVERSATION_GAP` apart share a conversation.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol
from uuid import UUID

from edge_agent.actions import Actions, Answer, DoseInfo
from edge_agent.clock import Clock
from edge_agent.day_parts import PartOfDay
from edge_agent.loop import TimerHandle
from edge_agent.phrases import say_list
from shared.dialog import (
    FOLLOW_UP_WINDOW,
    HELP_CHECK_TIMEOUT,
    Step,
    decide,
    parse_answer,
    replies,
)
from shared.dialog import Answer as YesNo
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
# Pocketsphinx's confidence is 0.5 at a tie with the free phone loop and falls below 0.3 exactly
# when the grammar's match is rejected for the open search (margin -0.02 per frame): words
# heard that way are a guess among domain words, not a phrase the grammar matched.
SURE_HEARING = 0.3

FALLBACK = replies.NOT_UNDERSTOOD
NOT_HEARD = "Sorry, I did not hear anything. Press the talk button and try again."
NOT_CONFIRMED = replies.NOT_RECORDED
GLAD = "I am glad to hear that."
ABOUT_MEDICATION = (
    "I can tell you what you take and when. For questions about a medicine itself, please ask "
    "your doctor or pharmacist."
)

log = logging.getLogger(__name__)

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


class Timers(Protocol):
    """Where the help check's timeout runs (the agent's event loop)."""

    def call_later(self, seconds: float, callback: Callable[[], None]) -> TimerHandle: ...


@dataclass(frozen=True)
class HeardSpeech:
    """What the recogniser made of an utterance (typed input has no engine and no confidence).

    `confidence` is the recogniser's (0..1); below `SURE_HEARING` a clear emergency phrase is
    only a danger word heard with low confidence, so it leads to the help check.
    """

    text: str
    engine: str | None = None
    stt_latency_ms: float | None = None
    alternatives: tuple[str, ...] = ()
    confidence: float | None = None

    @property
    def heard_surely(self) -> bool:
        return self.confidence is None or self.confidence >= SURE_HEARING


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


@dataclass
class _PendingDose:
    """A dose report waiting for its yes: what a yes records."""

    labels: str
    as_needed: str | None
    asked_at: datetime


@dataclass
class _PendingHelp:
    """A doubtful emergency waiting for its answer; the timer alerts when none comes."""

    heard: str
    conversation: UUID
    timer: TimerHandle


class DialogManager:
    """Turns utterances into device actions and replies, one exchange at a time."""

    def __init__(
        self,
        actions: Actions,
        clock: Clock,
        *,
        timers: Timers,
        say: Callable[[str], None],
        runner: ModelRunner | None = None,
    ) -> None:
        self.actions = actions
        self.clock = clock
        self.timers = timers
        self.say = say
        self.runner = runner
        self._lock = threading.RLock()
        self._conversation: UUID | None = None
        self._last_exchange: datetime | None = None
        self._pending: _PendingSymptom | None = None
        self._pending_dose: _PendingDose | None = None
        self._pending_help: _PendingHelp | None = None

    def handle(self, heard: HeardSpeech) -> Reply:
        """Act on one utterance and record the exchange."""
        with self._lock:
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
        step = decide(result, heard.text)
        if step is Step.ALERT and not heard.heard_surely:
            step = Step.ASK_HELP
        if self._pending_help is not None:
            return self._help_answer(heard.text, step), False
        if step is Step.ALERT:
            self._clear_pending()
            return self._emergency(heard.text, conversation), False
        if step is Step.ASK_HELP:
            self._clear_pending()
            return self._ask_help(heard.text, conversation), True
        pending_dose, self._pending_dose = self._pending_dose, None
        if pending_dose is not None and now - pending_dose.asked_at <= FOLLOW_UP_WINDOW:
            answer = parse_answer(heard.text)
            if answer is YesNo.YES:
                return self._record_dose(pending_dose), False
            if answer is YesNo.NO or step in (Step.CONFIRM_DOSE, Step.NOT_TAKEN):
                return NOT_CONFIRMED, False
            text, expects_answer = self._respond_to(step, heard, result, conversation, now)
            return f"{NOT_CONFIRMED} {text}", expects_answer
        return self._respond_to(step, heard, result, conversation, now)

    def _respond_to(
        self,
        step: Step,
        heard: HeardSpeech,
        result: Understanding,
        conversation: UUID,
        now: datetime,
    ) -> tuple[str, bool]:
        pending, self._pending = self._pending, None
        if pending is not None and now - pending.asked_at <= FOLLOW_UP_WINDOW:
            severity = parse_severity(normalize(heard.text))
            if severity is not None or result.intent in (Intent.OTHER, Intent.LOG_SYMPTOM):
                return self._log_symptom(
                    pending.symptom, pending.body_part, severity, heard.text, conversation
                ), False
        match step:
            case Step.CONFIRM_DOSE:
                return self._confirm_dose(result, now)
            case Step.NOT_TAKEN:
                due = self.actions.due_now()
                return (NOT_CONFIRMED if not due.doses else f"{NOT_CONFIRMED} {due.text}"), False
            case Step.SKIP:
                reason = f"said: {heard.text}"[:200]
                return self.actions.skip_due(reason, DoseSource.VOICE).text, False
            case Step.QUESTION:
                return self._question(heard.text, result, conversation), False
            case Step.SYMPTOM:
                return self._symptom(heard.text, result, conversation, now)
            case _:
                return FALLBACK, False

    # -- emergencies -----------------------------------------------------------------------

    def _emergency(self, text: str, conversation: UUID, *, why: str = "Emergency heard") -> str:
        match = detect_emergency(normalize(text))
        what = f" ({match.kind.value.replace('_', ' ')})" if match else ""
        return self.actions.emergency(
            f"{why}{what}: {text!r}"[:2000], conversation_id=conversation
        ).text

    def _ask_help(self, text: str, conversation: UUID) -> str:
        timer = self.timers.call_later(HELP_CHECK_TIMEOUT.total_seconds(), self._help_timed_out)
        self._pending_help = _PendingHelp(text, conversation, timer)
        return replies.ASK_HELP

    def _help_answer(self, text: str, step: Step) -> str:
        """The answer to "Do you need help?": only a clear no cancels."""
        pending = self._pending_help
        assert pending is not None
        self._pending_help = None
        pending.timer.cancel()
        answer = parse_answer(text)
        if answer is YesNo.NO and step is not Step.ALERT:
            log.info("help check cancelled by the patient: %r, then %r", pending.heard, text)
            return replies.HELP_CANCELLED
        why = "Asked whether help is needed, the patient said yes"
        if answer is not YesNo.YES and step is not Step.ALERT:
            why = f"Asked whether help is needed, unclear answer {text!r}"
            self._emergency(pending.heard, pending.conversation, why=why)
            return replies.HELP_UNCLEAR
        return self._emergency(pending.heard, pending.conversation, why=why)

    def help_given(self) -> None:
        """A button raised the emergency alert: the open question needs no alert of its own."""
        with self._lock:
            pending, self._pending_help = self._pending_help, None
        if pending is not None:
            pending.timer.cancel()
            log.info("help check answered by a button: %r", pending.heard)

    def _help_timed_out(self) -> None:
        """No answer within the timeout: alert (runs on the agent's loop)."""
        with self._lock:
            pending, self._pending_help = self._pending_help, None
        if pending is None:
            return
        why = "Asked whether help is needed, no answer"
        self.say(self._emergency(pending.heard, pending.conversation, why=why))

    # -- doses -----------------------------------------------------------------------------

    def _confirm_dose(self, result: Understanding, now: datetime) -> tuple[str, bool]:
        """Name what a yes would record, and wait for it; nothing is recorded yet."""
        if result.medication and self._is_as_needed(result.medication):
            name = result.medication
            self._pending_dose = _PendingDose(name, name, now)
            return replies.confirm_dose(name), True
        due = self.actions.due_now()
        if not due.doses:
            return replies.NOTHING_TO_RECORD, False
        labels = say_list([_label(dose) for dose in due.doses])
        self._pending_dose = _PendingDose(labels, None, now)
        return replies.confirm_dose(labels), True

    def _record_dose(self, pending: _PendingDose) -> str:
        if pending.as_needed is not None:
            return self.actions.take_as_needed(pending.as_needed, DoseSource.VOICE).text
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

    def _clear_pending(self) -> None:
        self._pending = None
        self._pending_dose = None

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
            self._clear_pending()
        return self._conversation


def _label(dose: DoseInfo) -> str:
    return f"{dose.medication_name}, {dose.dose:g} {dose.unit}"
