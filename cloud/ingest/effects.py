"""What each new device message changes in the database, written set-wise per batch.

`EffectWriter.add` collects the rows a message implies; `flush` writes them with one
statement over column arrays per table (dose events and their occurrences share one), so a
batch costs a handful of statements whatever its size. Rows that carry their own id
(symptoms, questions, alerts, conversations) are inserted with ON CONFLICT DO NOTHING, so a
message re-sent under a new message id still does not double them.

Dose events: the occurrence is inserted from the event if the cloud has not expanded it yet
(window lengths from the cloud's copy of the plan item, which ingest checked), and the event is
always logged. Which event decides the occurrence is ONE rule, whatever order events arrive in:

1. A person's decision (button, voice) beats a timeout "missed", so a "taken" is never
   overwritten by the device's missed-dose timeout, whichever arrives first.
2. Otherwise the first decision wins: the earliest `decided_at` (device clock, corrected) of
   its class. A later decision never replaces it; it stays in `dose_event_logs` as an amendment.
   On equal times the one stored first stands.
3. A correction a person makes through the API (source `remote`) replaces whatever the
   occurrence held, and no device event replaces it.
"""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from cloud.alerts.writer import AlertWriter, NewAlert
from cloud.conversations.models import Conversation, InteractionLog, LlmRequest
from cloud.db.base import table_of
from cloud.devices.models import DeviceEvent, DeviceHeartbeat
from cloud.ingest.bulk import insert_rows, run_setwise
from cloud.ingest.facts import DeviceRef, PlanIndex
from cloud.questions.models import MedicationQuestionLog
from cloud.summaries.staleness import mark_days_stale
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

# The decision rule of the module docstring, as one guarded UPDATE per dose event.
APPLY_DOSE_DECISION = text(
    """
    UPDATE dose_occurrences AS occ
    SET status = :status, decided_at = :decided_at, source = :source, updated_at = now(),
        decided_by_event_id = (SELECT id FROM dose_event_logs WHERE message_id = :message_id)
    WHERE occ.id = :occurrence_id
      AND (
        occ.status = 'pending'
        OR occ.decided_at IS NULL
        OR (occ.source = 'timeout' AND :source <> 'timeout')
        OR (occ.source <> 'remote' AND :decided_at < occ.decided_at
            AND (:source <> 'timeout' OR occ.source = 'timeout'))
      )
    """
)


# The same rule for a whole batch at once, each decision read from its stored event (status,
# corrected decided_at, source: what the worker would send again), for occurrences that appear
# once in the batch; repeats go through APPLY_DOSE_DECISION in decision order.
APPLY_DOSE_DECISIONS_SETWISE = """
    UPDATE dose_occurrences AS occ
    SET status = event.status, decided_at = event.decided_at, source = event.source,
        decided_by_event_id = event.id, updated_at = now()
    FROM dose_event_logs AS event
    WHERE event.message_id = ANY(%b::uuid[]) AND occ.id = event.occurrence_id
      AND (
        occ.status = 'pending'
        OR occ.decided_at IS NULL
        OR (occ.source = 'timeout' AND event.source <> 'timeout')
        OR (occ.source <> 'remote' AND event.decided_at < occ.decided_at
            AND (event.source <> 'timeout' OR occ.source = 'timeout'))
      )
"""


# What heartbeats and plan_applied messages say about their device (a null keeps the value).
# A device applies only newer plan versions, but two workers may commit its reports out of
# order: the applied version only rises (greatest() skips nulls).
# Rows are locked in id order, as when ingest touches the devices.
UPDATE_DEVICES = """
    UPDATE devices AS d
    SET software_version = coalesce(locked.software_version, d.software_version),
        clock_offset_s = coalesce(locked.clock_offset_s, d.clock_offset_s),
        plan_version_applied = greatest(locked.plan_version, d.plan_version_applied),
        updated_at = now()
    FROM (
        SELECT t.id, u.software_version, u.clock_offset_s, u.plan_version FROM devices AS t
        JOIN unnest(%b::uuid[], %b::text[], %b::float8[], %b::int[])
            AS u(pk, software_version, clock_offset_s, plan_version) ON t.id = u.pk
        ORDER BY t.id FOR NO KEY UPDATE OF t
    ) AS locked
    WHERE d.id = locked.id
"""


# A batch's dose events and the occurrences they name, in ONE statement: the occurrence and
# the event deciding it reference each other (foreign keys are checked at the end of the
# statement). Event ids are made by the server; a new occurrence decided by one event of the
# batch names that event through its message id. Returns the ids of the occurrences inserted.
DOSE_EVENT_COLUMNS = 12
INSERT_DOSES = """
    WITH events AS (
        INSERT INTO dose_event_logs (
            message_id, occurrence_id, patient_id, device_pk, status, source, decided_at,
            received_at, as_needed, skip_reason, reminders_sent, snoozes
        )
        SELECT * FROM unnest(
            %b::uuid[], %b::uuid[], %b::uuid[], %b::uuid[], %b::text[], %b::text[],
            %b::timestamptz[], %b::timestamptz[], %b::bool[], %b::text[], %b::int[], %b::int[]
        )
        RETURNING id, message_id
    )
    INSERT INTO dose_occurrences (
        id, patient_id, plan_version_id, plan_id, plan_version, item_id, medication_name, dose,
        unit, local_date, slot, due_at, on_time_until, missed_after, as_needed, status,
        decided_at, source, decided_by_event_id
    )
    SELECT o.id, o.patient_id, o.plan_version_id, o.plan_id, o.plan_version, o.item_id,
        o.medication_name, o.dose, o.unit, o.local_date, o.slot, o.due_at, o.on_time_until,
        o.missed_after, o.as_needed, o.status, o.decided_at, o.source, events.id
    FROM unnest(
        %b::uuid[], %b::uuid[], %b::uuid[], %b::uuid[], %b::int[], %b::uuid[], %b::text[],
        %b::float8[], %b::text[], %b::date[], %b::text[], %b::timestamptz[], %b::timestamptz[],
        %b::timestamptz[], %b::bool[], %b::text[], %b::timestamptz[], %b::text[], %b::uuid[]
    ) AS o(
        id, patient_id, plan_version_id, plan_id, plan_version, item_id, medication_name, dose,
        unit, local_date, slot, due_at, on_time_until, missed_after, as_needed, status,
        decided_at, source, deciding_message_id
    )
    LEFT JOIN events ON events.message_id = o.deciding_message_id
    ON CONFLICT (id) DO NOTHING
    RETURNING id
"""


@dataclass(frozen=True)
class Decision:
    """A dose event's decision about its occurrence (the event is found by its message id)."""

    occurrence_id: uuid.UUID
    status: str
    decided_at: datetime
    source: str
    message_id: uuid.UUID


def _apply_decisions(db: Session, decisions: list[Decision]) -> None:
    """Apply dose decisions (in decided_at order) with the rule of APPLY_DOSE_DECISION."""
    counts = Counter(d.occurrence_id for d in decisions)
    single = [d.message_id for d in decisions if counts[d.occurrence_id] == 1]
    repeated = [d for d in decisions if counts[d.occurrence_id] > 1]
    if single:
        run_setwise(db, APPLY_DOSE_DECISIONS_SETWISE, [single])
    if repeated:
        db.execute(APPLY_DOSE_DECISION, [asdict(d) for d in repeated])


class EffectWriter:
    """Collects the rows of a batch's new messages and writes them table by table."""

    def __init__(self, db: Session, received_at: datetime, plans: PlanIndex) -> None:
        self.db = db
        self.received_at = received_at
        self.plans = plans
        self._doses: list[tuple[Envelope[Any], DeviceRef, timedelta]] = []
        self._heartbeats: list[dict[str, Any]] = []
        self._device_updates: dict[uuid.UUID, dict[str, Any]] = {}
        self._conversations: dict[uuid.UUID, dict[str, Any]] = {}
        self._interactions: list[dict[str, Any]] = []
        self._llm_requests: list[dict[str, Any]] = []
        self._symptoms: list[dict[str, Any]] = []
        self._questions: list[dict[str, Any]] = []
        self._alerts: list[NewAlert] = []
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
            (DeviceEvent, self._device_events),
        ):
            if rows:
                self.db.execute(pg_insert(model).on_conflict_do_nothing(), rows)
        AlertWriter(self.db).raise_alerts(self._alerts)

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
        assert device.patient_id is not None  # ingest refuses it from a device with no patient
        # Alerts about one occurrence share a cause with the cloud's own missed-dose alert.
        cause = f"{body.alert_type.value}:{body.occurrence_id}" if body.occurrence_id else None
        self._alerts.append(
            NewAlert(
                id=body.alert_id,
                patient_id=device.patient_id,
                device_pk=device.pk,
                alert_type=body.alert_type,
                level=body.level,
                source="device",
                message=body.message,
                raised_at=body.raised_at + shift,
                cause_key=cause,
                occurrence_id=body.occurrence_id,
                conversation_id=body.conversation_id,
            )
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
        latest["applied_version"] = max(body.version, latest.get("applied_version") or 0)

    # -- writers ----------------------------------------------------------------------------

    def _flush_device_updates(self) -> None:
        if not self._device_updates:
            return
        ordered = sorted(self._device_updates.items())
        run_setwise(
            self.db,
            UPDATE_DEVICES,
            [
                [pk for pk, _ in ordered],
                [values.get("software_version") for _, values in ordered],
                [values.get("clock_offset_s") for _, values in ordered],
                [v.get("applied_version", v.get("plan_version")) for _, v in ordered],
            ],
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

    def _flush_doses(self) -> None:
        if not self._doses:
            return
        occurrences: dict[uuid.UUID, list[Any]] = {}
        events: list[list[Any]] = [[] for _ in range(DOSE_EVENT_COLUMNS)]
        decisions: list[Decision] = []
        stale_days: set[tuple[uuid.UUID, date]] = set()
        received_at = self.received_at
        for envelope, device, shift in sorted(self._doses, key=lambda d: d[0].body.decided_at):
            body: DoseEventBody = envelope.body
            occurrence_id = body.occurrence_id
            status = body.status.value
            source = body.source.value
            decided_at = body.decided_at + shift
            if occurrence_id not in occurrences:
                # Ingest checked the item against the patient's plan before this.
                stored = self.plans.item(body)
                assert stored is not None
                item = stored.item
                # As-needed doses are due when taken, by the device clock; planned ones by plan.
                due_at = body.due_at + shift if body.as_needed else body.due_at
                on_time = timedelta(minutes=item.on_time_minutes)
                late = timedelta(minutes=item.late_window_minutes)
                if body.as_needed:
                    on_time = late = timedelta(0)
                # In INSERT_DOSES' order; the decision (last four) is filled in below.
                occurrences[occurrence_id] = [
                    occurrence_id,
                    device.patient_id,
                    stored.plan_version_pk,
                    body.plan_id,
                    body.plan_version,
                    body.item_id,
                    body.medication_name,
                    item.dose,
                    item.unit,
                    body.local_date,
                    body.slot,
                    due_at,
                    due_at + on_time,
                    due_at + late,
                    body.as_needed,
                    DoseStatus.PENDING.value,
                    None,
                    None,
                    None,
                ]
            # In INSERT_DOSES' order.
            for column, value in zip(
                events,
                (
                    envelope.message_id,
                    occurrence_id,
                    device.patient_id,
                    device.pk,
                    status,
                    source,
                    decided_at,
                    received_at,
                    body.as_needed,
                    body.skip_reason,
                    body.reminders_sent,
                    body.snoozes,
                ),
                strict=True,
            ):
                column.append(value)
            decision = Decision(occurrence_id, status, decided_at, source, envelope.message_id)
            decisions.append(decision)
            assert device.patient_id is not None
            stale_days.add((device.patient_id, body.local_date))
        # The rule lets any decision through a pending occurrence, so a new occurrence that
        # one event of the batch decides is inserted decided: its row is written once.
        counts = Counter(d.occurrence_id for d in decisions)
        for decision in decisions:
            if counts[decision.occurrence_id] == 1:
                occurrences[decision.occurrence_id][-4:] = (
                    decision.status,
                    decision.decided_at,
                    decision.source,
                    decision.message_id,
                )
        columns = [list(column) for column in zip(*occurrences.values(), strict=True)]
        inserted = set(run_setwise(self.db, INSERT_DOSES, [*events, *columns], returning=True))
        # Left: occurrences the cloud already had, and several decisions for one occurrence.
        remaining = [
            d for d in decisions if counts[d.occurrence_id] > 1 or d.occurrence_id not in inserted
        ]
        if remaining:
            _apply_decisions(self.db, remaining)
        mark_days_stale(self.db, stale_days)
