"""What each new device message changes in the database, written set-wise per batch.

`EffectWriter.add` collects the rows a message implies; `flush` writes them with one
multi-row statement per table (executemany for updates). Rows that carry their own id
(symptoms, questions, alerts, conversations) are inserted with ON CONFLICT DO NOTHING, so a
message re-sent under a new message id still does not double them.

Dose events: the occurrence is inserted from the event if the cloud has not expanded it yet
(window lengths from the cloud's copy of the plan item, else the contract defaults), the event
is logged, and the occurrence takes the event's decision unless it already holds a newer one.
A person's decision (button, voice, remote) always beats a timeout "missed", whatever the order
in which they arrive, so a late "taken" is never overwritten by the cloud's missed-dose job.
"""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, func, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from cloud.alerts.models import AlertLog
from cloud.conversations.models import Conversation, InteractionLog, LlmRequest
from cloud.db.base import table_of
from cloud.devices.models import Device, DeviceEvent, DeviceHeartbeat
from cloud.doses.models import DoseEventLog, DoseOccurrence
from cloud.ingest.bulk import insert_rows, run_setwise
from cloud.plans.models import MedicationPlan, MedicationPlanItem
from cloud.questions.models import MedicationQuestionLog
from cloud.symptoms.models import SymptomLog
from shared.enums import DoseStatus
from shared.envelope import Envelope
from shared.kinds import Kind
from shared.messages import (
    AlertBody,
    DoseEventBody,
    HeartbeatBody,
    InteractionBody,
    MedQuestionBody,
    PlanAppliedBody,
    SymptomBody,
)
from shared.plan import PlanItem

DEFAULT_ON_TIME = timedelta(minutes=PlanItem.model_fields["on_time_minutes"].default)
DEFAULT_LATE_WINDOW = timedelta(minutes=PlanItem.model_fields["late_window_minutes"].default)

# The decision rule of the module docstring, as one guarded UPDATE per dose event.
APPLY_DOSE_DECISION = text(
    """
    UPDATE dose_occurrences AS occ
    SET status = :status, decided_at = :decided_at, source = :source,
        decided_by_event_id = :event_id, updated_at = now()
    WHERE occ.id = :occurrence_id
      AND (
        occ.status = 'pending'
        OR occ.decided_at IS NULL
        OR (occ.source = 'timeout' AND :source <> 'timeout')
        OR (occ.decided_at <= :decided_at AND NOT (:source = 'timeout' AND occ.source <> 'timeout'))
      )
    """
)


# The same rule for a whole batch at once (one statement over arrays), for occurrences that
# appear once in the batch; repeats go through APPLY_DOSE_DECISION in decision order.
APPLY_DOSE_DECISIONS_SETWISE = """
    UPDATE dose_occurrences AS occ
    SET status = d.status, decided_at = d.decided_at, source = d.source,
        decided_by_event_id = d.event_id, updated_at = now()
    FROM unnest(%b::uuid[], %b::text[], %b::timestamptz[], %b::text[], %b::uuid[])
        AS d(occurrence_id, status, decided_at, source, event_id)
    WHERE occ.id = d.occurrence_id
      AND (
        occ.status = 'pending'
        OR occ.decided_at IS NULL
        OR (occ.source = 'timeout' AND d.source <> 'timeout')
        OR (occ.decided_at <= d.decided_at
            AND NOT (d.source = 'timeout' AND occ.source <> 'timeout'))
      )
"""


def _apply_decisions(db: Session, decisions: list[dict[str, Any]]) -> None:
    """Apply dose decisions (in decided_at order) with the rule of APPLY_DOSE_DECISION."""
    counts = Counter(d["occurrence_id"] for d in decisions)
    single = [d for d in decisions if counts[d["occurrence_id"]] == 1]
    repeated = [d for d in decisions if counts[d["occurrence_id"]] > 1]
    if single:
        columns = ("occurrence_id", "status", "decided_at", "source", "event_id")
        run_setwise(db, APPLY_DOSE_DECISIONS_SETWISE, [[d[c] for d in single] for c in columns])
    if repeated:
        db.execute(APPLY_DOSE_DECISION, repeated)


@dataclass(frozen=True)
class DeviceRef:
    """The few device columns ingest needs."""

    pk: uuid.UUID
    device_id: str
    patient_id: uuid.UUID | None


@dataclass(frozen=True)
class _ItemWindow:
    plan_version_pk: uuid.UUID
    dose: float | None
    unit: str | None
    on_time: timedelta
    late_window: timedelta


class EffectWriter:
    """Collects the rows of a batch's new messages and writes them table by table."""

    def __init__(self, db: Session, received_at: datetime) -> None:
        self.db = db
        self.received_at = received_at
        self._doses: list[tuple[Envelope[Any], DeviceRef, timedelta]] = []
        self._heartbeats: list[dict[str, Any]] = []
        self._device_updates: dict[uuid.UUID, dict[str, Any]] = {}
        self._conversations: dict[uuid.UUID, dict[str, Any]] = {}
        self._interactions: list[dict[str, Any]] = []
        self._llm_requests: list[dict[str, Any]] = []
        self._symptoms: list[dict[str, Any]] = []
        self._questions: list[dict[str, Any]] = []
        self._alerts: list[dict[str, Any]] = []
        self._device_events: list[dict[str, Any]] = []

    def add(self, envelope: Envelope[Any], device: DeviceRef, shift: timedelta) -> None:
        """Collect the effects of one new message (`shift` corrects an unsynced clock)."""
        body = envelope.body
        match envelope.kind:
            case Kind.DOSE_EVENT:
                self._doses.append((envelope, device, shift))
            case Kind.HEARTBEAT:
                self._add_heartbeat(envelope, body, device)
            case Kind.INTERACTION:
                self._add_interaction(envelope, body, device, shift)
            case Kind.SYMPTOM:
                self._add_symptom(body, device, shift)
            case Kind.MED_QUESTION:
                self._add_question(body, device, shift)
            case Kind.ALERT:
                self._add_alert(body, device, shift)
            case Kind.PLAN_APPLIED:
                self._add_plan_applied(envelope, body, device, shift)
            case _:
                raise ValueError(f"{envelope.kind.value} is not an up kind")

    def flush(self) -> None:
        """Write everything collected, in foreign-key order."""
        self._flush_doses()
        if self._heartbeats:
            insert_rows(self.db, table_of(DeviceHeartbeat), self._heartbeats, on_conflict="")
        self._flush_device_updates()
        if self._conversations:
            self._flush_conversations()
        if self._interactions:
            self.db.execute(pg_insert(InteractionLog), self._interactions)
        if self._llm_requests:
            self.db.execute(pg_insert(LlmRequest), self._llm_requests)
        for model, rows in (
            (SymptomLog, self._symptoms),
            (MedicationQuestionLog, self._questions),
            (AlertLog, self._alerts),
            (DeviceEvent, self._device_events),
        ):
            if rows:
                self.db.execute(pg_insert(model).on_conflict_do_nothing(), rows)

    # -- per kind -------------------------------------------------------------------------

    def _add_heartbeat(
        self, envelope: Envelope[Any], body: HeartbeatBody, device: DeviceRef
    ) -> None:
        # Offset as seen at receipt (includes transit time); only meaningful for a synced clock.
        offset = (
            (envelope.sent_at - self.received_at).total_seconds() if body.clock_synced else None
        )
        self._heartbeats.append(
            {
                "id": uuid.uuid4(),
                "device_pk": device.pk,
                "message_id": envelope.message_id,
                "sent_at": envelope.sent_at,
                "received_at": self.received_at,
                "uptime_s": body.uptime_s,
                "outbox_depth": body.outbox_depth,
                "plan_version": body.plan_version,
                "software_version": body.software_version,
                "clock_synced": body.clock_synced,
                "clock_offset_s": offset,
                "voice_models": list(body.voice_models),
            }
        )
        latest = self._device_updates.get(device.pk)
        if latest is None or latest["seq"] <= envelope.seq:
            self._device_updates[device.pk] = {
                "pk": device.pk,
                "seq": envelope.seq,
                "software_version": body.software_version,
                "plan_version": body.plan_version,
                "clock_offset_s": offset,
            }

    def _add_interaction(
        self, envelope: Envelope[Any], body: InteractionBody, device: DeviceRef, shift: timedelta
    ) -> None:
        started = body.started_at + shift
        conversation = self._conversations.setdefault(
            body.conversation_id,
            {
                "id": body.conversation_id,
                "patient_id": device.patient_id,
                "device_pk": device.pk,
                "channel": "device",
                "started_at": started,
                "last_activity_at": started,
            },
        )
        conversation["started_at"] = min(conversation["started_at"], started)
        conversation["last_activity_at"] = max(conversation["last_activity_at"], started)
        interaction_id = uuid.uuid4()
        self._interactions.append(
            {
                "id": interaction_id,
                "message_id": envelope.message_id,
                "conversation_id": body.conversation_id,
                "patient_id": device.patient_id,
                "started_at": started,
                "transcript": body.transcript,
                "stt_engine": body.stt_engine,
                "stt_latency_ms": body.stt_latency_ms,
                "intent": body.intent.value,
                "understanding": body.understanding,
                "understood_by": body.understood_by,
                "reply": body.reply,
                "latency_ms": body.latency_ms,
            }
        )
        if body.llm is not None:
            self._llm_requests.append(
                {
                    "id": uuid.uuid4(),
                    "interaction_id": interaction_id,
                    "patient_id": device.patient_id,
                }
                | body.llm.model_dump()
            )

    def _add_symptom(self, body: SymptomBody, device: DeviceRef, shift: timedelta) -> None:
        self._symptoms.append(
            {
                "id": body.symptom_id,
                "patient_id": device.patient_id,
                "device_pk": device.pk,
                "conversation_id": body.conversation_id,
                "reported_at": body.reported_at + shift,
                "symptom": body.symptom,
                "body_part": body.body_part,
                "severity": body.severity.value if body.severity else None,
                "note": body.note,
            }
        )

    def _add_question(self, body: MedQuestionBody, device: DeviceRef, shift: timedelta) -> None:
        self._questions.append(
            {
                "id": body.question_id,
                "patient_id": device.patient_id,
                "device_pk": device.pk,
                "conversation_id": body.conversation_id,
                "asked_at": body.asked_at + shift,
                "question": body.question,
                "answer": body.answer,
                "medication_name": body.medication_name,
                "time_reference": body.time_reference,
            }
        )

    def _add_alert(self, body: AlertBody, device: DeviceRef, shift: timedelta) -> None:
        # Alerts about one occurrence share a cause with the cloud's own missed-dose alert.
        cause = f"{body.alert_type.value}:{body.occurrence_id}" if body.occurrence_id else None
        self._alerts.append(
            {
                "id": body.alert_id,
                "patient_id": device.patient_id,
                "device_pk": device.pk,
                "alert_type": body.alert_type.value,
                "level": body.level.value,
                "status": "open",
                "source": "device",
                "message": body.message,
                "raised_at": body.raised_at + shift,
                "cause_key": cause,
                "occurrence_id": body.occurrence_id,
                "conversation_id": body.conversation_id,
            }
        )

    def _add_plan_applied(
        self, envelope: Envelope[Any], body: PlanAppliedBody, device: DeviceRef, shift: timedelta
    ) -> None:
        self._device_events.append(
            {
                "id": uuid.uuid4(),
                "device_pk": device.pk,
                "event_type": "plan_applied",
                "occurred_at": body.applied_at + shift,
                "message_id": envelope.message_id,
                "detail": {
                    "plan_id": str(body.plan_id),
                    "version": body.version,
                    "future_occurrences": body.future_occurrences,
                },
            }
        )
        latest = self._device_updates.setdefault(device.pk, {"pk": device.pk, "seq": -1})
        latest["applied_version"] = body.version

    # -- writers ----------------------------------------------------------------------------

    def _flush_device_updates(self) -> None:
        devices = table_of(Device)
        rows = [
            {
                "pk": pk,
                "software_version": values.get("software_version"),
                "clock_offset_s": values.get("clock_offset_s"),
                "plan_version": values.get("applied_version", values.get("plan_version")),
            }
            for pk, values in sorted(self._device_updates.items())
        ]
        if not rows:
            return
        self.db.execute(
            update(devices)
            .where(devices.c.id == bindparam("pk"))
            .values(
                software_version=func.coalesce(
                    bindparam("software_version"), devices.c.software_version
                ),
                clock_offset_s=func.coalesce(bindparam("clock_offset_s"), devices.c.clock_offset_s),
                plan_version_applied=func.coalesce(
                    bindparam("plan_version"), devices.c.plan_version_applied
                ),
            ),
            rows,
        )

    def _flush_conversations(self) -> None:
        statement = pg_insert(Conversation)
        statement = statement.on_conflict_do_update(
            index_elements=["id"],
            set_={
                "last_activity_at": func.greatest(
                    table_of(Conversation).c.last_activity_at, statement.excluded.last_activity_at
                ),
                "updated_at": func.now(),
            },
        )
        self.db.execute(statement, list(self._conversations.values()))

    def _item_windows(
        self, bodies: list[DoseEventBody]
    ) -> dict[tuple[uuid.UUID, int, uuid.UUID], _ItemWindow]:
        """Plan version and window lengths of each (plan, version, item) the events name."""
        keys = {(b.plan_id, b.plan_version) for b in bodies}
        plans = table_of(MedicationPlan)
        items = table_of(MedicationPlanItem)
        rows = self.db.execute(
            select(
                plans.c.id,
                plans.c.plan_id,
                plans.c.version,
                items.c.item_id,
                items.c.dose,
                items.c.unit,
                items.c.on_time_minutes,
                items.c.late_window_minutes,
            )
            .join(items, items.c.plan_version_id == plans.c.id)
            .where(plans.c.plan_id.in_({k[0] for k in keys}))
        )
        return {
            (row.plan_id, row.version, row.item_id): _ItemWindow(
                row.id,
                row.dose,
                row.unit,
                timedelta(minutes=row.on_time_minutes),
                timedelta(minutes=row.late_window_minutes),
            )
            for row in rows
            if (row.plan_id, row.version) in keys
        }

    def _flush_doses(self) -> None:
        if not self._doses:
            return
        windows = self._item_windows([env.body for env, _, _ in self._doses])
        occurrences: dict[uuid.UUID, dict[str, Any]] = {}
        events: list[dict[str, Any]] = []
        decisions: list[dict[str, Any]] = []
        stale_days: set[tuple[uuid.UUID, date]] = set()
        for envelope, device, shift in sorted(self._doses, key=lambda d: d[0].body.decided_at):
            body: DoseEventBody = envelope.body
            window = windows.get((body.plan_id, body.plan_version, body.item_id))
            # As-needed doses are due when taken, by the device clock; planned ones by the plan.
            due_at = body.due_at + shift if body.as_needed else body.due_at
            on_time = DEFAULT_ON_TIME if window is None else window.on_time
            late = DEFAULT_LATE_WINDOW if window is None else window.late_window
            if body.as_needed:
                on_time = late = timedelta(0)
            occurrences.setdefault(
                body.occurrence_id,
                {
                    "id": body.occurrence_id,
                    "patient_id": device.patient_id,
                    "plan_version_id": None if window is None else window.plan_version_pk,
                    "plan_id": body.plan_id,
                    "plan_version": body.plan_version,
                    "item_id": body.item_id,
                    "medication_name": body.medication_name,
                    "dose": None if window is None else window.dose,
                    "unit": None if window is None else window.unit,
                    "local_date": body.local_date,
                    "slot": body.slot,
                    "due_at": due_at,
                    "on_time_until": due_at + on_time,
                    "missed_after": due_at + late,
                    "as_needed": body.as_needed,
                    "status": DoseStatus.PENDING.value,
                },
            )
            event_id = uuid.uuid4()
            decided_at = body.decided_at + shift
            events.append(
                {
                    "id": event_id,
                    "message_id": envelope.message_id,
                    "occurrence_id": body.occurrence_id,
                    "patient_id": device.patient_id,
                    "device_pk": device.pk,
                    "status": body.status.value,
                    "source": body.source.value,
                    "decided_at": decided_at,
                    "received_at": self.received_at,
                    "as_needed": body.as_needed,
                    "skip_reason": body.skip_reason,
                    "reminders_sent": body.reminders_sent,
                    "snoozes": body.snoozes,
                }
            )
            if body.status is not DoseStatus.PENDING:
                decisions.append(
                    {
                        "occurrence_id": body.occurrence_id,
                        "status": body.status.value,
                        "decided_at": decided_at,
                        "source": body.source.value,
                        "event_id": event_id,
                    }
                )
            assert device.patient_id is not None
            stale_days.add((device.patient_id, body.local_date))
        insert_rows(
            self.db, table_of(DoseOccurrence), list(occurrences.values()), on_conflict="(id)"
        )
        insert_rows(self.db, table_of(DoseEventLog), events)
        if decisions:
            _apply_decisions(self.db, decisions)
        self._mark_summaries_stale(stale_days)

    def _mark_summaries_stale(self, days: set[tuple[uuid.UUID, date]]) -> None:
        """Summaries already computed for these days no longer match their occurrences."""
        params = [
            {"patient_id": patient, "day": day, "week": day - timedelta(days=day.weekday())}
            for patient, day in sorted(days)
        ]
        self.db.execute(
            text(
                "UPDATE daily_patient_summaries SET stale = true "
                "WHERE patient_id = :patient_id AND summary_date = :day AND NOT stale"
            ),
            params,
        )
        self.db.execute(
            text(
                "UPDATE weekly_patient_summaries SET stale = true "
                "WHERE patient_id = :patient_id AND week_start = :week AND NOT stale"
            ),
            params,
        )
