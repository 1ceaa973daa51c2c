"""Idempotent, set-wise storage of device messages (the MQTT worker and the REST fallback).

`IngestService.ingest_raw` takes raw payloads as they came off the broker (or the REST body),
validates each with the shared contract, and in ONE transaction per batch:

1. rejects what cannot be stored into `dead_letters` (raw bytes, topic, reason) without raising:
   invalid or oversized payloads, a device id that differs from the topic's, unknown devices,
   down kinds sent up, patient data from a device not assigned to a patient, and any fact the
   device's patient and plan refute (`cloud.ingest.facts`);
2. inserts the message ids into `ingested_messages` with ON CONFLICT DO NOTHING, so a repeat
   changes nothing and is reported as a duplicate (for `MEDMIND_PARTITIONS_DEDUPE_DAYS` after
   its sent_at; the rule is in docs/sync.md, "De-duplication and retention");
3. applies the effects of the new messages (see `cloud.ingest.effects`);
4. commits, and only then reports the ids: stored, duplicate and dead-lettered ids are all
   safe to ack.

If a batch fails on the database (a message the contract allows but the data does not, such as
a reference to a plan the cloud never issued in a way that breaks a constraint), the batch is
rolled back and retried one message at a time, so only the offending message is dead-lettered.

Clock correction: a message made while the device's clock was not synced
(`clock_synced=false`) cannot be placed by its own timestamps. Its times are shifted by one
offset so that its `sent_at` lands just after the last clock-synced message of the same device
with a lower sequence number (1 ms per sequence step); with no such message the receive time is
used. Every device-clock time in the body moves by the same offset.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from cloud.clock import Clock, utc_now
from cloud.db.base import table_of
from cloud.ingest.bulk import fetch_rows, insert_rows, run_setwise
from cloud.ingest.effects import EffectWriter
from cloud.ingest.facts import DeviceRef, Fact, FactChecker, PlanIndex, TimeBounds
from cloud.ingest.models import DeadLetter, IngestedMessage
from shared.envelope import MAX_PAYLOAD_BYTES, ContractError, Envelope, parse_envelope
from shared.kinds import Direction, Kind
from shared.topics import TOPIC_ROOT

REST_TOPIC = "rest"
# Kinds that need a patient: a device not assigned to one cannot store them.
PATIENT_KINDS = frozenset(
    {Kind.DOSE_EVENT, Kind.INTERACTION, Kind.SYMPTOM, Kind.MED_QUESTION, Kind.ALERT}
)


# Any message proves its device alive. Rows are locked in id order (the sub-select): two workers
# touch the same devices in every batch and must not deadlock.
TOUCH_DEVICES = """
    UPDATE devices AS d
    SET online = true, last_seen_at = %b, updated_at = now(),
        last_seq = greatest(coalesce(d.last_seq, -1), locked.seq)
    FROM (
        SELECT t.id, seen.seq FROM devices AS t
        JOIN unnest(%b::uuid[], %b::bigint[]) AS seen(pk, seq) ON t.id = seen.pk
        ORDER BY t.id FOR NO KEY UPDATE OF t
    ) AS locked
    WHERE d.id = locked.id
"""


@dataclass(frozen=True)
class RawMessage:
    """A payload as received: the device id its topic (or URL) names, the bytes, the topic."""

    device_id: str
    payload: bytes
    topic: str = REST_TOPIC


@dataclass(frozen=True)
class DeadLettered:
    """A rejected payload; `message_id` is set when the payload named one (ack it too)."""

    message_id: uuid.UUID | None
    reason: str


@dataclass
class IngestResult:
    """What happened to a batch. Every id listed here is durably handled and may be acked."""

    stored: list[uuid.UUID] = field(default_factory=list)
    duplicates: list[uuid.UUID] = field(default_factory=list)
    dead_lettered: list[DeadLettered] = field(default_factory=list)
    # Who sent each id above (the device its topic or URL named), to ack it to that device.
    senders: dict[uuid.UUID, str] = field(default_factory=dict)

    @property
    def ackable(self) -> list[uuid.UUID]:
        """Ids the sender can forget: stored, already stored, or dead-lettered with an id."""
        rejected = [d.message_id for d in self.dead_lettered if d.message_id is not None]
        return [*self.stored, *self.duplicates, *rejected]

    def ackable_by_sender(self) -> dict[str, list[uuid.UUID]]:
        """The ackable ids, grouped by the device that sent them."""
        grouped: dict[str, list[uuid.UUID]] = {}
        for message_id in self.ackable:
            grouped.setdefault(self.senders[message_id], []).append(message_id)
        return grouped

    def merge(self, other: IngestResult) -> None:
        """Add another result's ids to this one."""
        self.stored.extend(other.stored)
        self.duplicates.extend(other.duplicates)
        self.dead_lettered.extend(other.dead_lettered)
        self.senders.update(other.senders)


@dataclass
class _Candidate:
    raw: RawMessage
    envelope: Envelope[Any]
    device: DeviceRef | None = None
    shift: timedelta = timedelta(0)


def _loose_message_id(payload: bytes) -> uuid.UUID | None:
    """The message id of an invalid payload, when it still names one (so it can be acked)."""
    try:
        decoded = json.loads(payload)
        return uuid.UUID(str(decoded["message_id"])) if isinstance(decoded, dict) else None
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        return None


class IngestService:
    """Stores batches of device messages idempotently; owns its transaction (one per batch)."""

    def __init__(
        self,
        db: Session,
        *,
        max_payload_bytes: int = MAX_PAYLOAD_BYTES,
        now: Clock = utc_now,
        bounds: TimeBounds | None = None,
        plans: PlanIndex | None = None,
    ) -> None:
        self.db = db
        self.max_payload_bytes = max_payload_bytes
        self.now = now
        self.bounds = bounds
        # A worker passes the index it keeps across batches; otherwise it lives for this service.
        self.plans = plans if plans is not None else PlanIndex()

    def ingest_envelopes(
        self, device_id: str, envelopes: Sequence[Envelope[Any]], topic: str = REST_TOPIC
    ) -> IngestResult:
        """Store already-parsed envelopes that arrived for `device_id` (the REST path)."""
        raws = [RawMessage(device_id, env.to_json(), topic) for env in envelopes]
        return self.ingest_raw(raws)

    def ingest_raw(self, messages: Sequence[RawMessage]) -> IngestResult:
        """Validate, deduplicate and store a batch; never raises for bad input."""
        if not messages:
            return IngestResult()
        received_at = self.now()
        try:
            result = self._ingest_batch(messages, received_at)
            self.db.commit()
            return result
        except (IntegrityError, DBAPIError):
            self.db.rollback()
            # Whatever the refusal was, the retries check against plans read afresh.
            self.plans.forget()
        # Isolate the message the database refused; store the others one by one.
        result = IngestResult()
        for message in messages:
            try:
                part = self._ingest_batch([message], received_at)
                self.db.commit()
            except (IntegrityError, DBAPIError) as exc:
                self.db.rollback()
                reason = f"database refused the message: {str(exc.orig or exc).splitlines()[0]}"
                part = self._dead_letter_only(message, reason, received_at)
                self.db.commit()
            result.merge(part)
        return result

    def _dead_letter_only(
        self, message: RawMessage, reason: str, received_at: datetime
    ) -> IngestResult:
        result = IngestResult()
        self._add_dead_letters([(message, reason)], received_at, result)
        return result

    def _ingest_batch(self, messages: Sequence[RawMessage], received_at: datetime) -> IngestResult:
        result = IngestResult()
        rejected: list[tuple[RawMessage, str]] = []
        candidates: list[_Candidate] = []
        seen: set[uuid.UUID] = set()
        for message in messages:
            try:
                envelope = parse_envelope(message.payload, max_bytes=self.max_payload_bytes)
            except ContractError as exc:
                rejected.append((message, str(exc)))
                continue
            if envelope.device_id != message.device_id:
                rejected.append(
                    (
                        message,
                        f"envelope device_id {envelope.device_id!r} differs from the sender "
                        f"{message.device_id!r}",
                    )
                )
                continue
            if envelope.kind.direction is not Direction.UP:
                rejected.append((message, f"kind {envelope.kind.value!r} is not sent by devices"))
                continue
            # An MQTT topic names the kind it carries; the REST path has no such topic.
            if message.topic.startswith(f"{TOPIC_ROOT}/") and not message.topic.endswith(
                f"/up/{envelope.kind.value}"
            ):
                rejected.append(
                    (message, f"a {envelope.kind.value} message arrived on topic {message.topic!r}")
                )
                continue
            if envelope.message_id in seen:
                result.duplicates.append(envelope.message_id)
                continue
            result.senders[envelope.message_id] = message.device_id
            seen.add(envelope.message_id)
            candidates.append(_Candidate(message, envelope))

        devices = self._devices({c.envelope.device_id for c in candidates})
        accepted: list[_Candidate] = []
        for candidate in candidates:
            device = devices.get(candidate.envelope.device_id)
            if device is None:
                rejected.append((candidate.raw, f"unknown device {candidate.envelope.device_id!r}"))
            elif device.patient_id is None and candidate.envelope.kind in PATIENT_KINDS:
                rejected.append(
                    (
                        candidate.raw,
                        f"device {device.device_id!r} is not assigned to a patient; "
                        f"cannot store a {candidate.envelope.kind.value}",
                    )
                )
            else:
                candidate.device = device
                accepted.append(candidate)

        self._correct_clocks(accepted, received_at)
        checker = FactChecker(self.db, received_at, self.bounds, self.plans)
        facts = [Fact(c.envelope, c.device, c.shift) for c in accepted if c.device is not None]
        reasons = checker.check(facts)
        rejected.extend((c.raw, r) for c, r in zip(accepted, reasons, strict=True) if r is not None)
        accepted = [c for c, r in zip(accepted, reasons, strict=True) if r is None]
        self._add_dead_letters(rejected, received_at, result)
        new_ids = self._record_messages(accepted, received_at)
        fresh = [c for c in accepted if c.envelope.message_id in new_ids]
        result.stored.extend(c.envelope.message_id for c in fresh)
        result.duplicates.extend(
            c.envelope.message_id for c in accepted if c.envelope.message_id not in new_ids
        )
        writer = EffectWriter(self.db, received_at, checker.plans)
        for candidate in fresh:
            assert candidate.device is not None
            writer.add(candidate.envelope, candidate.device, candidate.shift)
        writer.flush()
        self._touch_devices(accepted, received_at)
        return result

    def _devices(self, device_ids: set[str]) -> dict[str, DeviceRef]:
        if not device_ids:
            return {}
        rows = fetch_rows(
            self.db,
            "SELECT id, device_id, patient_id, clock_offset_s FROM devices "
            "WHERE device_id = ANY(%b::text[])",
            [sorted(device_ids)],
        )
        return {row[1]: DeviceRef(*row) for row in rows}

    def _add_dead_letters(
        self,
        rejected: list[tuple[RawMessage, str]],
        received_at: datetime,
        result: IngestResult,
    ) -> None:
        if not rejected:
            return
        rows = []
        for message, reason in rejected:
            message_id = _loose_message_id(message.payload)
            rows.append(
                {
                    "id": uuid.uuid4(),
                    "topic": message.topic,
                    "device_id": message.device_id,
                    "message_id": message_id,
                    "raw": message.payload,
                    "reason": reason,
                    "received_at": received_at,
                }
            )
            result.dead_lettered.append(DeadLettered(message_id, reason))
            if message_id is not None:
                result.senders.setdefault(message_id, message.device_id)
        self.db.execute(pg_insert(DeadLetter), rows)

    def _correct_clocks(self, candidates: list[_Candidate], received_at: datetime) -> None:
        """Shift messages made with an unsynced clock (rule in the module docstring)."""
        synced: dict[str, list[tuple[int, datetime]]] = {}
        for candidate in candidates:
            env = candidate.envelope
            if env.clock_synced:
                synced.setdefault(env.device_id, []).append((env.seq, env.sent_at))
        for candidate in candidates:
            env = candidate.envelope
            if env.clock_synced:
                continue
            in_batch = [p for p in synced.get(env.device_id, []) if p[0] < env.seq]
            anchor = max(in_batch) if in_batch else self._last_synced(env.device_id, env.seq)
            if anchor is None:
                candidate.shift = received_at - env.sent_at
            else:
                anchor_seq, anchor_at = anchor
                placed = anchor_at + timedelta(milliseconds=env.seq - anchor_seq)
                candidate.shift = placed - env.sent_at

    def _last_synced(self, device_id: str, seq: int) -> tuple[int, datetime] | None:
        row = self.db.execute(
            select(IngestedMessage.seq, IngestedMessage.sent_at)
            .where(
                IngestedMessage.device_id == device_id,
                IngestedMessage.clock_synced.is_(True),
                IngestedMessage.seq < seq,
            )
            .order_by(IngestedMessage.seq.desc())
            .limit(1)
        ).first()
        return None if row is None else (row.seq, row.sent_at)

    def _record_messages(
        self, candidates: list[_Candidate], received_at: datetime
    ) -> set[uuid.UUID]:
        if not candidates:
            return set()
        rows = [
            {
                "message_id": c.envelope.message_id,
                "device_id": c.envelope.device_id,
                "kind": c.envelope.kind.value,
                "seq": c.envelope.seq,
                "sent_at": c.envelope.sent_at,
                "effective_at": c.envelope.sent_at + c.shift,
                "clock_synced": c.envelope.clock_synced,
                "received_at": received_at,
            }
            for c in candidates
        ]
        table = table_of(IngestedMessage)
        return set(
            insert_rows(
                self.db, table, rows, on_conflict="(message_id, sent_at)", returning="message_id"
            )
        )

    def _touch_devices(self, candidates: list[_Candidate], received_at: datetime) -> None:
        """Any message proves the device is alive; keep its highest sequence number."""
        last_seq: dict[uuid.UUID, int] = {}
        for candidate in candidates:
            assert candidate.device is not None
            pk = candidate.device.pk
            last_seq[pk] = max(last_seq.get(pk, -1), candidate.envelope.seq)
        if not last_seq:
            return
        ordered = sorted(last_seq.items())
        run_setwise(
            self.db,
            TOUCH_DEVICES,
            [received_at, [pk for pk, _ in ordered], [seq for _, seq in ordered]],
        )
