"""Handle one utterance sent to the cloud: understand it the device's way, store it, act on it.

The understanding is `shared.understanding.understand`, the device's code: rules, then the
cloud's model runner where rules are unsure (`cloud.voice.completions_runner`, when
`MEDMIND_CLOUD_LLM_URL` names a server; without one, rules only, like a device without a
model). What to do follows the device's reply policy (`shared.dialog`), and every reply says
only what was done:

- a dose report is answered with a confirmation naming the doses due now; a clear yes in the
  same conversation within `FOLLOW_UP_WINDOW` records them, anything else records nothing;
- "skip" records the due doses as skipped (the caregiver sees it in the record; no alert);
- a clear emergency raises a critical alert; a doubtful one raises a warning at once (the cloud
  cannot wait for a silence) and asks "Do you need help?": yes or an unclear answer raises the
  critical alert, "no, I'm fine" settles the warning;
- a severe symptom raises the same symptom alert as on the device.

Every utterance is stored as an interaction of a `cloud_voice` conversation (what it awaits is
kept in its understanding record under `awaiting`), and a model pass as its `llm_requests` row.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from cloud.alerts.writer import AlertWriter, NewAlert
from cloud.conversations.models import Conversation, InteractionLog, LlmRequest
from cloud.devices.models import Device
from cloud.doses.models import DoseOccurrence
from cloud.doses.service import DoseService
from cloud.errors import NotFoundError
from cloud.medications.models import Medication
from cloud.plans.service import PlanService
from cloud.questions.models import MedicationQuestionLog
from cloud.symptoms.models import SymptomLog
from cloud.voice.schemas import VoiceOut
from shared.dialog import FOLLOW_UP_WINDOW, Step, decide, parse_answer, replies
from shared.dialog import Answer as YesNo
from shared.enums import AlertLevel, AlertType, DoseSource, DoseStatus, Severity
from shared.understanding import ModelRunner, Understanding, understand

# A dose this close to its time counts as due (the device's default early window).
EARLY_TAKE = timedelta(minutes=15)
GLAD = "I am glad to hear that."


class Awaiting(StrEnum):
    """What the cloud asked and waits to hear answered in the same conversation."""

    DOSE_CONFIRMATION = "dose_confirmation"
    HELP_CHECK = "help_check"


@dataclass(frozen=True)
class _Pending:
    awaiting: Awaiting
    alert_id: uuid.UUID | None


@dataclass
class _Acted:
    """What acting on an utterance did: the reply, what it waits for, and rows it made."""

    reply: str
    awaiting: Awaiting | None = None
    alert_id: uuid.UUID | None = None
    symptom_id: uuid.UUID | None = None


@dataclass(frozen=True)
class _Turn:
    device: Device
    patient_id: uuid.UUID
    conversation: uuid.UUID
    transcript: str
    result: Understanding
    step: Step


class VoiceService:
    """One utterance from a device; owns its transaction."""

    def __init__(self, db: Session, now: datetime, runner: ModelRunner | None = None) -> None:
        self.db = db
        self.now = now
        self.runner = runner
        self.alerts = AlertWriter(db)

    def handle(
        self,
        device: Device,
        transcript: str,
        *,
        conversation_id: uuid.UUID | None = None,
        alternatives: tuple[str, ...] = (),
        stt_engine: str | None = None,
        stt_latency_ms: float | None = None,
    ) -> VoiceOut:
        """Understand, store and act on `transcript` for the device's patient."""
        if device.patient_id is None:
            raise NotFoundError("this device is not assigned to a patient")
        patient_id = device.patient_id
        now = self.now
        medications = list(
            self.db.scalars(select(Medication.name).where(Medication.patient_id == patient_id))
        )
        outcome = understand(
            transcript,
            runner=self.runner,
            known_medications=medications,
            alternatives=alternatives,
        )
        result = outcome.understanding
        conversation = conversation_id or uuid.uuid4()
        pending = self._pending(conversation) if conversation_id is not None else None
        self.db.execute(
            pg_insert(Conversation)
            .values(
                id=conversation,
                patient_id=patient_id,
                device_pk=device.id,
                channel="cloud_voice",
                started_at=now,
                last_activity_at=now,
            )
            .on_conflict_do_update(index_elements=["id"], set_={"last_activity_at": now})
        )
        turn = _Turn(
            device, patient_id, conversation, transcript, result, decide(result, transcript)
        )
        acted = self._act(turn, pending)
        understanding: dict[str, Any] = result.as_record()
        if acted.awaiting is not None:
            understanding["awaiting"] = acted.awaiting.value
            if acted.alert_id is not None:
                understanding["alert_id"] = str(acted.alert_id)
        interaction = InteractionLog(
            id=uuid.uuid4(),
            conversation_id=conversation,
            patient_id=patient_id,
            started_at=now,
            transcript=transcript,
            stt_engine=stt_engine,
            stt_latency_ms=stt_latency_ms,
            intent=result.intent,
            understanding=understanding,
            understood_by=result.source.value,
            reply=acted.reply,
            latency_ms=outcome.latency_ms,
        )
        self.db.add(interaction)
        if outcome.llm_call is not None:
            self.db.flush()  # the interaction row first: the model pass refers to it
            self.db.add(
                LlmRequest(
                    interaction_id=interaction.id,
                    patient_id=patient_id,
                    **outcome.llm_call.model_dump(),
                )
            )
        self.db.commit()
        return VoiceOut(
            conversation_id=conversation,
            interaction_id=interaction.id,
            transcript=transcript,
            stt_engine=stt_engine,
            intent=result.intent,
            understanding=understanding,
            reply=acted.reply,
            alert_id=acted.alert_id,
            symptom_id=acted.symptom_id,
        )

    # -- the reply policy ------------------------------------------------------------------

    def _act(self, turn: _Turn, pending: _Pending | None) -> _Acted:
        if pending is not None and pending.awaiting is Awaiting.HELP_CHECK:
            return self._help_answer(turn, pending)
        if turn.step is Step.ALERT:
            return self._emergency(turn, "Emergency said to the device")
        if turn.step is Step.ASK_HELP:
            return self._ask_help(turn)
        if pending is not None and pending.awaiting is Awaiting.DOSE_CONFIRMATION:
            answer = parse_answer(turn.transcript)
            if answer is YesNo.YES:
                return _Acted(self._record_due(turn, DoseStatus.ON_TIME))
            if answer is YesNo.NO or turn.step in (Step.CONFIRM_DOSE, Step.NOT_TAKEN):
                return _Acted(replies.NOT_RECORDED)
            acted = self._respond(turn)
            acted.reply = f"{replies.NOT_RECORDED} {acted.reply}"
            return acted
        return self._respond(turn)

    def _respond(self, turn: _Turn) -> _Acted:
        match turn.step:
            case Step.CONFIRM_DOSE:
                due = self._due(turn.patient_id)
                if not due:
                    return _Acted(replies.NOTHING_TO_RECORD)
                return _Acted(
                    replies.confirm_dose(_labels(due)), awaiting=Awaiting.DOSE_CONFIRMATION
                )
            case Step.NOT_TAKEN:
                return _Acted(replies.NOT_RECORDED)
            case Step.SKIP:
                return _Acted(self._record_due(turn, DoseStatus.SKIPPED))
            case Step.QUESTION:
                return _Acted(self._question(turn))
            case Step.SYMPTOM:
                return self._symptom(turn)
            case _:
                return _Acted(replies.NOT_UNDERSTOOD)

    # -- emergencies -----------------------------------------------------------------------

    def _emergency(self, turn: _Turn, why: str) -> _Acted:
        alert_id = self._alert(
            turn, AlertType.EMERGENCY, AlertLevel.CRITICAL, f'{why}: "{turn.transcript}"'
        )
        return _Acted(replies.EMERGENCY, alert_id=alert_id)

    def _ask_help(self, turn: _Turn) -> _Acted:
        message = f'Possible emergency said to the device, asking the patient: "{turn.transcript}"'
        alert_id = self._alert(turn, AlertType.EMERGENCY, AlertLevel.WARNING, message)
        return _Acted(replies.ASK_HELP, awaiting=Awaiting.HELP_CHECK, alert_id=alert_id)

    def _help_answer(self, turn: _Turn, pending: _Pending) -> _Acted:
        """Only a clear no cancels: it settles the warning raised with the question."""
        answer = parse_answer(turn.transcript)
        if answer is YesNo.NO and turn.step is not Step.ALERT:
            if pending.alert_id is not None:
                self.alerts.settle(pending.alert_id, settled_at=self.now)
            return _Acted(replies.HELP_CANCELLED)
        if answer is YesNo.YES or turn.step is Step.ALERT:
            return self._emergency(turn, "Asked whether help is needed, the patient said")
        acted = self._emergency(turn, "Asked whether help is needed, unclear answer")
        acted.reply = replies.HELP_UNCLEAR
        return acted

    def _alert(
        self, turn: _Turn, alert_type: AlertType, level: AlertLevel, message: str
    ) -> uuid.UUID | None:
        return self.alerts.raise_alert(
            NewAlert(
                patient_id=turn.patient_id,
                alert_type=alert_type,
                level=level,
                message=message[:2000],
                raised_at=self.now,
                cause_key=None,
                device_pk=turn.device.id,
                conversation_id=turn.conversation,
                source="cloud_voice",
            )
        )

    # -- doses -----------------------------------------------------------------------------

    def _due(self, patient_id: uuid.UUID) -> list[DoseOccurrence]:
        """Scheduled doses waiting for an answer now (as the device's early window counts)."""
        return list(
            self.db.scalars(
                select(DoseOccurrence)
                .where(
                    DoseOccurrence.patient_id == patient_id,
                    DoseOccurrence.status == DoseStatus.PENDING,
                    DoseOccurrence.as_needed.is_(False),
                    DoseOccurrence.due_at <= self.now + EARLY_TAKE,
                    DoseOccurrence.missed_after > self.now,
                )
                .order_by(DoseOccurrence.due_at, DoseOccurrence.medication_name)
            )
        )

    def _record_due(self, turn: _Turn, decided: DoseStatus) -> str:
        """Record every due dose as taken (on time or late) or skipped; say exactly that."""
        due = self._due(turn.patient_id)
        if not due:
            return "Nothing is due right now, so I have not recorded anything."
        doses = DoseService(self.db)
        for occurrence in due:
            status = decided
            if decided is DoseStatus.ON_TIME and self.now > occurrence.on_time_until:
                status = DoseStatus.LATE
            doses.record(
                occurrence,
                status,
                source=DoseSource.VOICE,
                at=self.now,
                device_pk=turn.device.id,
                skip_reason=f"said: {turn.transcript}"[:200]
                if status is DoseStatus.SKIPPED
                else None,
            )
        if decided is DoseStatus.SKIPPED:
            return replies.skipped(_labels(due), caregiver_notified=False)
        return f"Thank you. I recorded {_labels(due)} as taken."

    # -- questions and symptoms ------------------------------------------------------------

    def _question(self, turn: _Turn) -> str:
        answer = self._plan_answer(turn.patient_id)
        result = turn.result
        self.db.add(
            MedicationQuestionLog(
                patient_id=turn.patient_id,
                device_pk=turn.device.id,
                conversation_id=turn.conversation,
                asked_at=self.now,
                question=turn.transcript,
                answer=answer,
                medication_name=result.medication,
                time_reference=result.time_reference.value if result.time_reference else None,
            )
        )
        return answer

    def _symptom(self, turn: _Turn) -> _Acted:
        result = turn.result
        if result.negated:
            return _Acted(GLAD)
        symptom_id = uuid.uuid4()
        symptom = result.symptom or "symptom"
        self.db.add(
            SymptomLog(
                id=symptom_id,
                patient_id=turn.patient_id,
                device_pk=turn.device.id,
                conversation_id=turn.conversation,
                reported_at=self.now,
                symptom=result.symptom or "unspecified",
                body_part=result.body_part,
                severity=result.severity,
                note=turn.transcript,
            )
        )
        severe = result.severity is Severity.SEVERE
        alert_id = None
        if severe:
            alert_id = self._alert(
                turn, AlertType.SYMPTOM, AlertLevel.WARNING, f"Severe symptom reported: {symptom}."
            )
        reply = replies.symptom_noted(symptom, caregiver_alerted=severe)
        return _Acted(reply, alert_id=alert_id, symptom_id=symptom_id)

    def _plan_answer(self, patient_id: uuid.UUID) -> str:
        plan = PlanService(self.db).current(patient_id)
        if plan is None:
            return "You have no medication plan yet."
        lines = [
            f"{item.medication_name} {item.dose:g} {item.unit} at {', '.join(item.times_of_day)}"
            for item in plan.items
            if not item.as_needed
        ]
        return "Your plan: " + "; ".join(lines) + "." if lines else "Your plan has no set times."

    def _pending(self, conversation: uuid.UUID) -> _Pending | None:
        """What the conversation's last exchange asked, if it is recent enough to answer."""
        last = self.db.scalars(
            select(InteractionLog)
            .where(
                InteractionLog.conversation_id == conversation,
                InteractionLog.started_at >= self.now - FOLLOW_UP_WINDOW,
            )
            .order_by(InteractionLog.started_at.desc())
            .limit(1)
        ).first()
        if last is None or last.understanding.get("awaiting") is None:
            return None
        alert_id = last.understanding.get("alert_id")
        return _Pending(
            Awaiting(last.understanding["awaiting"]),
            uuid.UUID(alert_id) if alert_id else None,
        )


def _labels(occurrences: list[DoseOccurrence]) -> str:
    names = [
        f"{o.medication_name}, {o.dose:g} {o.unit or ''}".rstrip()
        if o.dose is not None
        else o.medication_name
        for o in occurrences
    ]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
