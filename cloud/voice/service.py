"""Handle one utterance sent to the cloud: understand it the device's way, store it, act on it.

The understanding is `shared.understanding.understand`, the device's code: rules, then the
cloud's model runner where rules are unsure (`cloud.voice.completions_runner`, when
`MEDMIND_CLOUD_LLM_URL` names a server; without one, rules only, like a device without a
model). Emergencies raise a critical alert, reported symptoms are logged, medication questions
are answered from the current plan; every utterance is stored as an interaction of a
`cloud_voice` conversation, and a model pass as its `llm_requests` row.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from cloud.alerts.writer import AlertWriter, NewAlert
from cloud.conversations.models import Conversation, InteractionLog, LlmRequest
from cloud.devices.models import Device
from cloud.errors import NotFoundError
from cloud.medications.models import Medication
from cloud.plans.service import PlanService
from cloud.questions.models import MedicationQuestionLog
from cloud.symptoms.models import SymptomLog
from cloud.voice.schemas import VoiceOut
from shared.enums import AlertLevel, AlertType, Intent
from shared.understanding import ModelRunner, Understanding, understand


class VoiceService:
    """One utterance from a device; owns its transaction."""

    def __init__(self, db: Session, runner: ModelRunner | None = None) -> None:
        self.db = db
        self.runner = runner

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
        now = datetime.now(UTC)
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
        alert_id = symptom_id = None
        reply = self._reply(result, patient_id)
        if result.is_emergency:
            alert_id = AlertWriter(self.db).raise_alert(
                NewAlert(
                    patient_id=patient_id,
                    alert_type=AlertType.EMERGENCY,
                    level=AlertLevel.CRITICAL,
                    message=f'Emergency said to the device: "{transcript}"',
                    raised_at=now,
                    cause_key=None,
                    device_pk=device.id,
                    conversation_id=conversation,
                    source="cloud_voice",
                )
            )
        elif result.intent is Intent.LOG_SYMPTOM and not result.negated:
            symptom_id = uuid.uuid4()
            self.db.add(
                SymptomLog(
                    id=symptom_id,
                    patient_id=patient_id,
                    device_pk=device.id,
                    conversation_id=conversation,
                    reported_at=now,
                    symptom=result.symptom or "unspecified",
                    body_part=result.body_part,
                    severity=result.severity,
                    note=transcript,
                )
            )
        elif result.intent is Intent.MEDICATION_QUESTION:
            self.db.add(
                MedicationQuestionLog(
                    patient_id=patient_id,
                    device_pk=device.id,
                    conversation_id=conversation,
                    asked_at=now,
                    question=transcript,
                    answer=reply,
                    medication_name=result.medication,
                    time_reference=result.time_reference.value if result.time_reference else None,
                )
            )
        interaction = InteractionLog(
            id=uuid.uuid4(),
            conversation_id=conversation,
            patient_id=patient_id,
            started_at=now,
            transcript=transcript,
            stt_engine=stt_engine,
            stt_latency_ms=stt_latency_ms,
            intent=result.intent,
            understanding=result.as_record(),
            understood_by=result.source.value,
            reply=reply,
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
            understanding=result.as_record(),
            reply=reply,
            alert_id=alert_id,
            symptom_id=symptom_id,
        )

    def _reply(self, result: Understanding, patient_id: uuid.UUID) -> str:
        match result.intent:
            case Intent.EMERGENCY:
                return "I am alerting your caregiver right now. Stay where you are."
            case Intent.LOG_SYMPTOM if not result.negated:
                return f"I'm sorry. I have noted your {result.symptom or 'symptom'}."
            case Intent.REPORT_DOSE_TAKEN if not result.negated:
                return "Thank you. Please also press the taken button on your device."
            case Intent.SKIP_DOSE:
                return "All right. I have let your caregiver know you are skipping it."
            case Intent.MEDICATION_QUESTION:
                return self._plan_answer(patient_id)
            case _:
                return "Sorry, I did not get that. You can ask what to take, or say how you feel."

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
