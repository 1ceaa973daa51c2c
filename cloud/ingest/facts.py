"""Every device fact checked against the device's own patient and plan before it is stored.

The one place these rules live; `IngestService` runs them for the MQTT worker and the REST
events endpoint alike, and dead-letters a message that breaks one with the rule's reason:

- **Times**: every device-clock time of a message (after the clock correction of unsynced
  messages) lies at most `TimeBounds.max_age` (a year) before the cloud received it and at most
  `TimeBounds.max_ahead` (10 minutes) plus the device's last measured clock lead after it.
- **dose_event**: the status is a decision (never `pending`); the source is the device's own
  (`button`, `voice`, or `timeout` for a `missed` dose; never `remote`); the plan version exists
  and is a plan of the device's patient; the item is in that version under the event's
  medication name. A scheduled item's occurrence is one the plan derives: its slot is one of the
  item's times, the item applies on its local date, and its id and due time are those
  `shared.schedule` derives. An as-needed item's dose is taken, its id is
  `as_needed_occurrence_id(item, due_at)`, its local date and slot are `due_at`'s in the plan's
  zone, and the item has started, has not ended and is not paused on that date.
- **plan_applied**: the plan version exists and is a plan of the device's patient.
- **References**: a conversation or (in an alert) an occurrence a message names is not another
  patient's.

Numbers are finite by the contract itself (`ContractModel` refuses Infinity and NaN). Each rule
costs at most one query per batch, over all its messages at once; plan versions an ingest
worker has read before cost none (`PlanIndex`).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from cloud.ingest.bulk import fetch_rows
from shared.enums import DoseSource, DoseStatus, Weekday
from shared.envelope import Envelope
from shared.kinds import Kind
from shared.messages import DoseEventBody
from shared.plan import PlanItem
from shared.schedule import applies_on, as_needed_occurrence_id, occurrence_id, resolve_local


@dataclass(frozen=True)
class TimeBounds:
    """How far from its receipt a device-clock time may lie (see `IngestSettings`)."""

    # A device's outbox may hold facts for a long time offline; a year is beyond any retry.
    max_age: timedelta = timedelta(days=366)
    # A synced clock may run a little ahead of the cloud's (and transit is never negative).
    max_ahead: timedelta = timedelta(minutes=10)


DEVICE_SOURCES = frozenset({DoseSource.BUTTON, DoseSource.VOICE, DoseSource.TIMEOUT})

# The named plan versions with their items (a version without items still counts).
PLAN_ITEMS = """
    SELECT plan.id, plan.plan_id, plan.version, plan.patient_id, plan.timezone, item.item_id,
        item.medication_name, item.dose, item.unit, item.times_of_day, item.days_of_week,
        item.every_n_days, item.start_date, item.end_date, item.as_needed, item.max_per_day,
        item.on_time_minutes, item.late_window_minutes, item.paused
    FROM medication_plans AS plan
    JOIN unnest(%b::uuid[], %b::int[]) AS named(plan_id, version)
        ON plan.plan_id = named.plan_id AND plan.version = named.version
    LEFT JOIN medication_plan_items AS item ON item.plan_version_id = plan.id
"""
ITEM_FIELDS = (
    "medication_name",
    "dose",
    "unit",
    "times_of_day",
    "days_of_week",
    "every_n_days",
    "start_date",
    "end_date",
    "as_needed",
    "max_per_day",
    "on_time_minutes",
    "late_window_minutes",
    "paused",
)
OCCURRENCE_OWNERS = "SELECT id, patient_id FROM dose_occurrences WHERE id = ANY(%b::uuid[])"
CONVERSATION_OWNERS = "SELECT id, patient_id FROM conversations WHERE id = ANY(%b::uuid[])"


@dataclass(frozen=True)
class DeviceRef:
    """The few device columns ingest needs."""

    pk: uuid.UUID
    device_id: str
    patient_id: uuid.UUID | None
    # Device clock minus the cloud's at its last synced heartbeat (seconds; None: unknown).
    clock_offset_s: float | None = None


@dataclass(frozen=True)
class Fact:
    """A message to check: its envelope, its known device, and its clock correction."""

    envelope: Envelope[Any]
    device: DeviceRef
    shift: timedelta


@dataclass(frozen=True)
class PlanVersionRef:
    """One stored plan version: whose it is, where its day starts, and its items by id."""

    pk: uuid.UUID
    patient_id: uuid.UUID
    timezone: str
    items: dict[uuid.UUID, StoredItem]


@dataclass(frozen=True)
class StoredItem:
    """A plan item as one plan version stores it (with its version's row id)."""

    plan_version_pk: uuid.UUID
    timezone: str
    item: PlanItem


# Plan versions a worker keeps between batches (a few kilobytes each): a fleet's current
# versions and the ones before them, several times over.
PLAN_INDEX_MAX_VERSIONS = 50_000


class PlanIndex:
    """Plan versions with their items, keyed for the checks and the writers.

    One index may serve many batches (an ingest worker keeps one): a stored plan version never
    changes, since an edit stores a new version under a new number, and a version is deleted
    only with its patient, whose devices are then no one's. So a version once read stays true;
    a version not found is not remembered, so one committed after a batch is seen by the next.
    Past `max_versions` the oldest read are dropped (they are read again when named).
    """

    def __init__(self, max_versions: int = PLAN_INDEX_MAX_VERSIONS) -> None:
        self.max_versions = max_versions
        self.versions: dict[tuple[uuid.UUID, int], PlanVersionRef] = {}

    def load(self, db: Session, named: Iterable[tuple[uuid.UUID, int]]) -> None:
        """Read the named versions this index does not hold yet (one query, if any)."""
        missing = sorted({key for key in named if key not in self.versions})
        if not missing:
            return
        rows = fetch_rows(db, PLAN_ITEMS, [[p for p, _ in missing], [v for _, v in missing]])
        for row in rows:
            pk, plan_id, version, patient_id, zone, item_id, *item = row
            stored = self.versions.get((plan_id, version))
            if stored is None:
                stored = PlanVersionRef(pk, patient_id, zone, {})
                self.versions[(plan_id, version)] = stored
            if item_id is not None:
                stored.items[item_id] = StoredItem(pk, zone, _contract_item(item_id, item))
        while len(self.versions) > self.max_versions:
            del self.versions[next(iter(self.versions))]

    def forget(self) -> None:
        """Drop everything read (after the database refused a batch: read afresh)."""
        self.versions.clear()

    def item(self, body: DoseEventBody) -> StoredItem | None:
        """The stored item a dose event names, if its plan version has it."""
        stored = self.versions.get((body.plan_id, body.plan_version))
        return None if stored is None else stored.items.get(body.item_id)


def _contract_item(item_id: uuid.UUID, columns: Sequence[Any]) -> PlanItem:
    """The contract's item from PLAN_ITEMS' item columns (validated when the plan was saved)."""
    values = dict(zip(ITEM_FIELDS, columns, strict=True))
    values["days_of_week"] = [Weekday(day) for day in values["days_of_week"]]
    return PlanItem.model_construct(item_id=item_id, **values)


def _device_times(envelope: Envelope[Any]) -> list[datetime]:
    """Every time in the message that was read off the device's clock."""
    body: Any = envelope.body
    times = [envelope.sent_at]
    match envelope.kind:
        case Kind.DOSE_EVENT:
            times += [body.due_at, body.decided_at]
        case Kind.HEARTBEAT if body.last_ack_at is not None:
            times.append(body.last_ack_at)
        case Kind.INTERACTION:
            times.append(body.started_at)
        case Kind.SYMPTOM:
            times.append(body.reported_at)
        case Kind.MED_QUESTION:
            times.append(body.asked_at)
        case Kind.ALERT:
            times.append(body.raised_at)
        case Kind.PLAN_APPLIED:
            times.append(body.applied_at)
    return times


def _conversation(envelope: Envelope[Any]) -> uuid.UUID | None:
    if envelope.kind in (Kind.INTERACTION, Kind.SYMPTOM, Kind.MED_QUESTION, Kind.ALERT):
        conversation: uuid.UUID | None = envelope.body.conversation_id
        return conversation
    return None


def _alert_occurrence(envelope: Envelope[Any]) -> uuid.UUID | None:
    if envelope.kind is Kind.ALERT:
        occurrence: uuid.UUID | None = envelope.body.occurrence_id
        return occurrence
    return None


class FactChecker:
    """Checks a batch of facts with a handful of queries; see the module docstring."""

    def __init__(
        self,
        db: Session,
        received_at: datetime,
        bounds: TimeBounds | None = None,
        plans: PlanIndex | None = None,
    ) -> None:
        self.db = db
        self.received_at = received_at
        self.bounds = bounds or TimeBounds()
        self.plans = plans if plans is not None else PlanIndex()

    def check(self, facts: Sequence[Fact]) -> list[str | None]:
        """Per fact, in order: None if it may be stored, else why it may not."""
        self.plans.load(self.db, _named_plans(facts))
        occurrences = self._owners(OCCURRENCE_OWNERS, map(_alert_occurrence, _envelopes(facts)))
        conversations = self._owners(CONVERSATION_OWNERS, map(_conversation, _envelopes(facts)))
        reasons: list[str | None] = []
        for fact in facts:
            reason = self._times(fact)
            patient = fact.device.patient_id
            if reason is None:
                reason = self._foreign(
                    "conversation", _conversation(fact.envelope), conversations, patient
                ) or self._foreign(
                    "occurrence", _alert_occurrence(fact.envelope), occurrences, patient
                )
            if reason is None and fact.envelope.kind is Kind.DOSE_EVENT:
                reason = self._dose_event(fact.envelope.body, patient)
            if reason is None and fact.envelope.kind is Kind.PLAN_APPLIED:
                body = fact.envelope.body
                reason = self._plan_version(body.plan_id, body.version, patient)
            reasons.append(reason)
        return reasons

    def _owners(
        self, sql: str, ids: Iterable[uuid.UUID | None]
    ) -> dict[uuid.UUID, uuid.UUID | None]:
        named = sorted({i for i in ids if i is not None})
        if not named:
            return {}
        return {row_id: patient for row_id, patient in fetch_rows(self.db, sql, [named])}

    @staticmethod
    def _foreign(
        what: str,
        named: uuid.UUID | None,
        owners: dict[uuid.UUID, uuid.UUID | None],
        patient: uuid.UUID | None,
    ) -> str | None:
        if named is not None and named in owners and owners[named] != patient:
            return f"{what} {named} belongs to another patient"
        return None

    def _times(self, fact: Fact) -> str | None:
        lead = timedelta(seconds=max(0.0, fact.device.clock_offset_s or 0.0))
        latest = self.received_at + self.bounds.max_ahead + lead
        earliest = self.received_at - self.bounds.max_age
        for moment in _device_times(fact.envelope):
            placed = moment + fact.shift
            if placed > latest:
                return f"time {moment.isoformat()} is after the message was received"
            if placed < earliest:
                return f"time {moment.isoformat()} is more than {self.bounds.max_age} old"
        return None

    def _plan_version(
        self, plan_id: uuid.UUID, version: int, patient: uuid.UUID | None
    ) -> str | None:
        stored = self.plans.versions.get((plan_id, version))
        if stored is None or stored.patient_id != patient:
            return f"plan {plan_id} version {version} is not a plan of this device's patient"
        return None

    def _dose_event(self, body: DoseEventBody, patient: uuid.UUID | None) -> str | None:
        if body.status is DoseStatus.PENDING:
            return "a dose event must carry a decision, not pending"
        if body.source not in DEVICE_SOURCES:
            return f"source {body.source.value!r} is not a device's"
        if body.source is DoseSource.TIMEOUT and body.status is not DoseStatus.MISSED:
            return "a timeout can only make a dose missed"
        reason = self._plan_version(body.plan_id, body.plan_version, patient)
        if reason is not None:
            return reason
        stored = self.plans.item(body)
        if stored is None:
            return f"item {body.item_id} is not in plan {body.plan_id} v{body.plan_version}"
        item = stored.item
        if item.medication_name != body.medication_name:
            return f"item {body.item_id} is {item.medication_name!r}, not {body.medication_name!r}"
        if item.as_needed:
            return _as_needed_dose(body, item, stored.timezone)
        return _scheduled_dose(body, item, stored.timezone)


def _envelopes(facts: Sequence[Fact]) -> Iterable[Envelope[Any]]:
    return (fact.envelope for fact in facts)


def _named_plans(facts: Sequence[Fact]) -> Iterable[tuple[uuid.UUID, int]]:
    """The plan versions the dose events and plan_applied reports of a batch name."""
    for envelope in _envelopes(facts):
        if envelope.kind is Kind.DOSE_EVENT:
            yield envelope.body.plan_id, envelope.body.plan_version
        elif envelope.kind is Kind.PLAN_APPLIED:
            yield envelope.body.plan_id, envelope.body.version


def _scheduled_dose(body: DoseEventBody, item: PlanItem, timezone: str) -> str | None:
    if body.as_needed:
        return f"item {item.item_id} is scheduled, not as needed"
    if body.slot not in item.times_of_day or not applies_on(item, body.local_date):
        return f"item {item.item_id} has no dose at {body.local_date} {body.slot}"
    if body.occurrence_id != occurrence_id(item.item_id, body.local_date, body.slot):
        return f"occurrence {body.occurrence_id} is not the plan's for that slot"
    if body.due_at != resolve_local(body.local_date, body.slot, ZoneInfo(timezone)):
        return f"due_at {body.due_at.isoformat()} is not the plan's for that slot"
    return None


def _as_needed_dose(body: DoseEventBody, item: PlanItem, timezone: str) -> str | None:
    if not body.as_needed:
        return f"item {item.item_id} is as needed, not scheduled"
    if not body.status.is_taken:
        return "an as-needed dose can only be taken"
    if body.occurrence_id != as_needed_occurrence_id(item.item_id, body.due_at):
        return f"occurrence {body.occurrence_id} is not the as-needed id of its item and due_at"
    local = body.due_at.astimezone(ZoneInfo(timezone))
    if (body.local_date, body.slot) != (local.date(), local.strftime("%H:%M")):
        return "local_date and slot are not due_at in the plan's time zone"
    if (
        item.paused
        or body.local_date < item.start_date
        or (item.end_date is not None and body.local_date > item.end_date)
    ):
        return f"item {item.item_id} is not in use on {body.local_date}"
    return None
