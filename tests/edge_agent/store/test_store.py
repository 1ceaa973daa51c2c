"""The device store: schema, WAL, atomic state + outbox, the outbox API, plan swaps."""

from __future__ import annotations

import sqlite3
import uuid
from datetime import timedelta
from pathlib import Path

import pytest

from edge_agent.clock import VirtualClock
from edge_agent.store import OccurrenceState, Store
from edge_agent.store import occurrences as occ
from edge_agent.store.migrations import SCHEMA_VERSION, schema_version
from shared.enums import Severity
from shared.envelope import parse_envelope
from shared.kinds import Kind
from shared.messages import SymptomBody
from shared.topics import up_topic
from tests.edge_agent.factories import local, make_item, make_plan


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock(local(2026, 6, 1, 7, 0))


@pytest.fixture
def store(tmp_path: Path, clock: VirtualClock) -> Store:
    return Store(tmp_path / "edge.sqlite3", device_id="bed-1", clock=clock, horizon_days=2)


def symptom(name: str = "headache") -> SymptomBody:
    return SymptomBody(
        symptom_id=uuid.uuid4(),
        reported_at=local(2026, 6, 1, 7, 0),
        symptom=name,
        severity=Severity.MILD,
    )


def test_new_database_is_migrated_and_in_wal_mode(store: Store, tmp_path: Path) -> None:
    assert schema_version(store.db) == SCHEMA_VERSION
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    store.close()
    reopened = Store(tmp_path / "edge.sqlite3", device_id="bed-1", clock=store.clock)
    assert schema_version(reopened.db) == SCHEMA_VERSION


def test_database_from_newer_software_is_refused(tmp_path: Path, clock: VirtualClock) -> None:
    path = tmp_path / "future.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(RuntimeError, match="newer than this software"):
        Store(path, device_id="bed-1", clock=clock)


def test_enqueue_numbers_messages_and_keeps_them_ready_to_publish(store: Store) -> None:
    first = store.enqueue(symptom("headache"))
    second = store.enqueue(symptom("nausea"))
    assert (first.seq, second.seq) == (0, 1)
    batch = store.outbox_batch(10)
    assert [m.seq for m in batch] == [0, 1]
    assert batch[0].topic == up_topic("bed-1", Kind.SYMPTOM)
    assert batch[0].kind == "symptom"
    parsed = parse_envelope(batch[1].payload)
    assert parsed.message_id == second.message_id
    assert parsed.body.symptom == "nausea"
    assert store.outbox_depth() == 2


def test_sequence_survives_a_restart(store: Store, tmp_path: Path) -> None:
    store.enqueue(symptom())
    store.delete_acked([m.message_id for m in store.outbox_batch(10)])
    store.close()
    reopened = Store(tmp_path / "edge.sqlite3", device_id="bed-1", clock=store.clock)
    assert reopened.enqueue(symptom()).seq == 1


def test_delete_acked_drops_only_named_ids_and_records_the_ack(
    store: Store, clock: VirtualClock
) -> None:
    kept = store.enqueue(symptom("a"))
    acked = store.enqueue(symptom("b"))
    assert store.delete_acked([acked.message_id, uuid.uuid4()]) == 1
    assert store.delete_acked([str(acked.message_id)]) == 0
    assert [m.message_id for m in store.outbox_batch(10)] == [str(kept.message_id)]
    assert store.last_ack_at() == clock.now()


def test_the_ack_that_empties_the_outbox_is_the_last_sync(
    store: Store, clock: VirtualClock
) -> None:
    first = store.enqueue(symptom("a"))
    second = store.enqueue(symptom("b"))
    store.delete_acked([first.message_id])
    assert store.last_sync_at() is None, "the cloud does not have everything yet"

    clock.advance(60)
    store.delete_acked([second.message_id])

    assert store.last_sync_at() == clock.now()


def test_failed_transaction_leaves_neither_fact_nor_message(store: Store) -> None:
    with pytest.raises(RuntimeError), store.transaction() as db:
        db.execute("INSERT INTO meta (key, value) VALUES ('fact', 'x')")
        store.enqueue(symptom())
        raise RuntimeError("power cut")
    assert store.get_meta("fact") is None
    assert store.outbox_depth() == 0


def test_outbox_listeners_hear_only_committed_additions(store: Store) -> None:
    heard: list[int] = []
    store.add_outbox_listener(lambda: heard.append(store.outbox_depth()))
    with store.transaction():
        store.enqueue(symptom())
        store.enqueue(symptom())
        assert heard == [], "listener ran before commit"
    assert heard == [2]
    store.set_meta("unrelated", "1")
    assert heard == [2]


def test_messages_made_on_an_unsynced_clock_say_so(tmp_path: Path, clock: VirtualClock) -> None:
    store = Store(
        tmp_path / "x.sqlite3", device_id="bed-1", clock=clock, clock_synced=lambda: False
    )
    assert store.enqueue(symptom()).clock_synced is False


def test_apply_plan_expands_the_horizon_and_reports_it(store: Store) -> None:
    plan = make_plan(make_item("Metformin", ["08:00", "20:00"]))
    assert store.apply_plan(plan)
    assert store.current_plan() == plan
    with store.transaction() as db:
        records = occ.select(db, "1 = 1")
    assert len(records) == 6  # today (after 07:00) and two more days, twice a day
    [message] = [parse_envelope(m.payload) for m in store.outbox_batch(10)]
    assert message.kind is Kind.PLAN_APPLIED
    assert (message.body.version, message.body.future_occurrences) == (1, 6)


def test_older_or_same_plan_version_is_not_applied(store: Store) -> None:
    plan = make_plan(version=2)
    assert store.apply_plan(plan)
    older = make_plan(make_item("Other"), version=1, plan_id=plan.plan_id)
    assert not store.apply_plan(older)
    assert not store.apply_plan(plan)
    assert store.current_plan() == plan
    assert store.outbox_depth() == 1


def test_new_plan_swaps_future_doses_and_keeps_decided_ones(
    store: Store, clock: VirtualClock
) -> None:
    metformin = make_item("Metformin", ["08:00", "20:00"])
    first = make_plan(metformin)
    store.apply_plan(first)
    clock.advance_to(local(2026, 6, 1, 8, 5))
    with store.transaction() as db:
        morning = occ.select(db, "slot = '08:00'")[0]
        occ.transition(db, morning, OccurrenceState.ON_TIME, "taken_button", clock.now())
    evening_item = metformin.model_copy(update={"times_of_day": ["21:00"]})
    second = make_plan(
        evening_item, make_item("Aspirin", ["12:00"]), version=2, plan_id=first.plan_id
    )
    clock.advance(60)
    assert store.apply_plan(second)
    with store.transaction() as db:
        records = occ.select(db, "local_date = '2026-06-01'")
    assert [(r.medication_name, r.slot, r.state) for r in records] == [
        ("Metformin", "08:00", OccurrenceState.ON_TIME),
        ("Aspirin", "12:00", OccurrenceState.PENDING),
        ("Metformin", "21:00", OccurrenceState.PENDING),
    ]
    assert records[0].occurrence_id == morning.occurrence_id
    assert {r.plan_version for r in records[1:]} == {2}


def test_extend_horizon_adds_new_days_only_once(store: Store, clock: VirtualClock) -> None:
    store.apply_plan(make_plan(make_item("Metformin", ["08:00"])))
    assert store.extend_horizon() == 0
    clock.advance(timedelta(days=1).total_seconds())
    assert store.extend_horizon() == 1
    assert store.extend_horizon() == 0
