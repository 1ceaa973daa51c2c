"""Several decisions for one occurrence in one ingest batch follow the same rule as across
batches: a person's decision beats the timeout's "missed", whatever the order."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session, sessionmaker

from cloud.doses.models import DoseOccurrence
from cloud.ingest.service import IngestService, RawMessage
from shared.enums import DoseSource, DoseStatus
from shared.envelope import make_envelope
from shared.kinds import Kind
from shared.topics import up_topic
from tests.factories import make_dose_event
from tests.sync.support import register_devices

DUE = datetime(2026, 11, 20, 7, 0, tzinfo=UTC)


@pytest.mark.parametrize("taken_first", [True, False])
def test_a_taken_and_a_missed_in_one_batch_leave_the_dose_taken(
    sessions: sessionmaker[Session], taken_first: bool
) -> None:
    register_devices(sessions, ["batch-1"])
    occurrence = uuid.uuid4()
    taken = make_dose_event(
        occurrence_id=occurrence, status=DoseStatus.LATE, decided_at=DUE + timedelta(minutes=50)
    )
    missed = make_dose_event(
        occurrence_id=occurrence,
        status=DoseStatus.MISSED,
        source=DoseSource.TIMEOUT,
        decided_at=DUE + timedelta(hours=2),
    )
    bodies = [taken, missed] if taken_first else [missed, taken]
    topic = up_topic("batch-1", Kind.DOSE_EVENT)
    batch = [
        RawMessage("batch-1", make_envelope("batch-1", seq, body).to_json(), topic)
        for seq, body in enumerate(bodies)
    ]
    other = make_dose_event()
    batch.append(RawMessage("batch-1", make_envelope("batch-1", 9, other).to_json(), topic))

    with sessions() as db:
        result = IngestService(db).ingest_raw(batch)
        assert len(result.stored) == 3
        decided = db.get(DoseOccurrence, occurrence)
        single = db.get(DoseOccurrence, other.occurrence_id)

    assert decided is not None and decided.status is DoseStatus.LATE
    assert single is not None and single.status is DoseStatus.ON_TIME
