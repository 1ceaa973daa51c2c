"""The growth tables are partitioned by time: the job keeps what is recent and what comes next,
drops only what is past retention, never touches the medical record, and repeats stay refused."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session, sessionmaker

from cloud.conversations.models import Conversation, InteractionLog
from cloud.devices.models import DeviceHeartbeat
from cloud.doses.models import DoseEventLog, DoseOccurrence
from cloud.ingest.models import DeadLetter, IngestedMessage
from cloud.ingest.service import IngestService, RawMessage
from cloud.jobs.runner import JobContext, run_job
from cloud.partitions.periods import Period
from cloud.partitions.service import Expired, PartitionService
from cloud.partitions.settings import PartitionSettings
from cloud.partitions.tables import growth_tables
from cloud.plans.models import MedicationPlan
from cloud.symptoms.models import SymptomLog
from shared.enums import DoseSource, DoseStatus, Intent, Severity
from shared.envelope import make_envelope
from shared.messages import (
    DoseEventBody,
    HeartbeatBody,
    InteractionBody,
    MessageBody,
    SymptomBody,
)
from shared.schedule import occurrence_id, resolve_local
from shared.topics import up_topic
from tests.cloud.factories import CloudFactory, ProvisionedDevice

NOW = datetime(2027, 6, 16, 12, 0, tzinfo=UTC)
RETENTION = PartitionSettings(dedupe_days=7, heartbeat_days=30, dead_letter_days=60)
MEDICAL_RECORD = (DoseEventLog, DoseOccurrence, SymptomLog, Conversation, InteractionLog)


class Fleet:
    """One device of one patient, sending messages as of any time."""

    def __init__(self, db: Session, factory: CloudFactory) -> None:
        self.db = db
        patient = factory.patient()
        self.plan: MedicationPlan = factory.plan(patient, now=NOW - timedelta(days=90))
        self.device: ProvisionedDevice = factory.device(patient)
        self.seq = 0

    def raw(self, body: MessageBody, sent_at: datetime, *, clock_synced: bool = True) -> RawMessage:
        self.seq += 1
        device = self.device.device_id
        envelope = make_envelope(device, self.seq, body, sent_at=sent_at, clock_synced=clock_synced)
        return RawMessage(device, envelope.to_json(), up_topic(device, envelope.kind))

    def send(self, received_at: datetime, *messages: RawMessage) -> Any:
        return IngestService(self.db, now=lambda: received_at).ingest_raw(list(messages))

    def heartbeat(self, at: datetime, *, clock_synced: bool = True) -> RawMessage:
        body = HeartbeatBody(
            uptime_s=60, outbox_depth=0, software_version="1", clock_synced=clock_synced
        )
        return self.raw(body, at, clock_synced=clock_synced)

    def dose(self, at: datetime) -> RawMessage:
        item = next(i for i in self.plan.items if not i.as_needed)
        day = at.astimezone(ZoneInfo(self.plan.timezone)).date()
        body = DoseEventBody(
            occurrence_id=occurrence_id(item.item_id, day, "08:00"),
            plan_id=self.plan.plan_id,
            plan_version=self.plan.version,
            item_id=item.item_id,
            medication_name=item.medication_name,
            local_date=day,
            slot="08:00",
            due_at=resolve_local(day, "08:00", ZoneInfo(self.plan.timezone)),
            status=DoseStatus.ON_TIME,
            decided_at=at,
            source=DoseSource.BUTTON,
        )
        return self.raw(body, at)

    def conversation(self, at: datetime) -> list[RawMessage]:
        conversation = uuid.uuid4()
        interaction = InteractionBody(
            conversation_id=conversation,
            started_at=at,
            transcript="I have a headache",
            intent=Intent.LOG_SYMPTOM,
            understood_by="rules",
        )
        symptom = SymptomBody(
            symptom_id=uuid.uuid4(),
            conversation_id=conversation,
            reported_at=at,
            symptom="headache",
            severity=Severity.MILD,
        )
        return [self.raw(interaction, at), self.raw(symptom, at)]


def _count(db: Session, model: type[Any], since: datetime | None = None) -> int:
    query = select(func.count()).select_from(model)
    if since is not None:
        query = query.where(model.received_at >= since)  # type: ignore[attr-defined]
    return db.scalar(query) or 0


def _partitions_from(db: Session, first: datetime, until: datetime) -> None:
    service = PartitionService(db)
    for table in growth_tables(RETENTION):
        service.ensure(table, first, until)
    db.commit()


def test_the_job_keeps_current_and_next_partitions_and_drops_only_what_is_past_retention(
    db: Session, factory: CloudFactory, session_factory: sessionmaker[Session]
) -> None:
    fleet = Fleet(db, factory)
    _partitions_from(db, NOW - timedelta(days=100), NOW)
    long_ago, lately = NOW - timedelta(days=40), NOW - timedelta(days=1)
    for at in (long_ago, lately):
        fleet.send(at, fleet.heartbeat(at), fleet.dose(at), *fleet.conversation(at))
        fleet.send(at, RawMessage(fleet.device.device_id, b"not json"))
    record = {model: _count(db, model) for model in MEDICAL_RECORD}
    assert all(record.values())

    result = run_job(JobContext(sessions=session_factory, partitions=RETENTION), "partitions", NOW)

    service = PartitionService(db)
    for table in growth_tables(RETENTION):
        kept = service.partitions(table)
        current = table.period.start(NOW)
        expected = [current, table.period.following(current)]
        assert [p.lower for p in kept if p.lower >= current][:2] == expected, table.name
        cutoff = NOW - table.retention
        assert all(p.upper > cutoff for p in kept), table.name
        assert kept[0].lower <= cutoff, f"{table.name}: a partition inside retention was dropped"
        assert result[table.name]["expired"], table.name
    # Message ids are remembered 7 days, heartbeats 30, dead letters 60.
    assert _count(db, IngestedMessage) == 4
    assert _count(db, DeviceHeartbeat) == _count(db, DeviceHeartbeat, since=lately) == 1
    assert _count(db, DeadLetter) == 2
    assert {model: _count(db, model) for model in MEDICAL_RECORD} == record


def test_a_duplicate_inside_the_retention_window_is_still_refused(
    db: Session, factory: CloudFactory, session_factory: sessionmaker[Session]
) -> None:
    fleet = Fleet(db, factory)
    _partitions_from(db, NOW - timedelta(days=30), NOW)
    six_days_ago = NOW - timedelta(days=6)
    dose = fleet.dose(six_days_ago)
    # An unsynced clock's sent_at lies outside every partition: its id waits in the default one.
    unsynced = fleet.heartbeat(datetime(2001, 1, 1, tzinfo=UTC), clock_synced=False)
    first = fleet.send(six_days_ago, dose, unsynced)
    run_job(JobContext(sessions=session_factory, partitions=RETENTION), "partitions", NOW)

    again = fleet.send(NOW, dose, unsynced)

    assert len(first.stored) == 2
    assert sorted(again.duplicates) == sorted(first.stored) and not again.stored
    assert _count(db, IngestedMessage) == 2
    assert _count(db, DoseEventLog) == 1


def test_rows_that_waited_in_the_default_partition_move_into_the_partition_made_for_them(
    db: Session, factory: CloudFactory, session_factory: sessionmaker[Session]
) -> None:
    fleet = Fleet(db, factory)
    far_ahead = NOW + timedelta(days=45)
    fleet.send(far_ahead, fleet.heartbeat(far_ahead))
    heartbeats = next(t for t in growth_tables(RETENTION) if t.name == "device_heartbeats")

    result = run_job(
        JobContext(sessions=session_factory, partitions=RETENTION), "partitions", far_ahead
    )

    assert result["device_heartbeats"]["moved_from_default"] == 1
    lower = Period.WEEK.start(far_ahead)
    assert heartbeats.partition_name(lower) in result["device_heartbeats"]["created"]
    assert _count(db, DeviceHeartbeat) == 1


def test_detached_partitions_stay_as_plain_tables_with_their_rows(
    db: Session, factory: CloudFactory, session_factory: sessionmaker[Session]
) -> None:
    fleet = Fleet(db, factory)
    _partitions_from(db, NOW - timedelta(days=100), NOW)
    long_ago = NOW - timedelta(days=40)
    fleet.send(long_ago, fleet.heartbeat(long_ago))
    settings = RETENTION.model_copy(update={"expired": Expired.DETACH})

    result = run_job(JobContext(sessions=session_factory, partitions=settings), "partitions", NOW)

    heartbeats = next(t for t in growth_tables(settings) if t.name == "device_heartbeats")
    detached = heartbeats.partition_name(Period.WEEK.start(long_ago))
    assert detached in result["device_heartbeats"]["expired"]
    assert _count(db, DeviceHeartbeat) == 0
    assert db.scalar(text(f'SELECT count(*) FROM "{detached}"')) == 1


def test_the_job_reads_partition_bounds_whatever_the_servers_date_style(
    db: Session, engine: Engine, session_factory: sessionmaker[Session]
) -> None:
    database = db.scalar(text("SELECT current_database()"))
    db.execute(text(f"ALTER DATABASE \"{database}\" SET datestyle = 'SQL, DMY'"))
    db.commit()
    engine.dispose()  # new connections take the database's setting
    ctx = JobContext(sessions=session_factory, partitions=RETENTION)

    run_job(ctx, "partitions", NOW)
    again = run_job(ctx, "partitions", NOW)

    assert all(not done["created"] for done in again.values())
