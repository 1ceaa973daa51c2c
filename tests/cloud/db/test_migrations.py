"""The migrations build exactly the models' schema, and can be undone and redone."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, pool

from cloud.db import migrate
from cloud.db.engine import sqlalchemy_url
from cloud.db.models import Base
from cloud.embeddings.models import VectorOrArray
from cloud.partitions.service import not_a_partition

# The embedded server's pgvector column is a type SQLAlchemy does not reflect; it is expected.
pytestmark = pytest.mark.filterwarnings("ignore:Did not recognize type 'vector'")


def _differences(url: str) -> list[object]:
    engine = create_engine(sqlalchemy_url(url), poolclass=pool.NullPool)
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn,
            opts={
                "compare_type": lambda _c, _i, _m, _it, mt: (
                    False if isinstance(mt, VectorOrArray) else None
                ),
                "include_name": not_a_partition,
            },
        )
        diff = compare_metadata(context, Base.metadata)
    engine.dispose()
    return list(diff)


def _tables(url: str) -> set[str]:
    engine = create_engine(sqlalchemy_url(url), poolclass=pool.NullPool)
    names = set(inspect(engine).get_table_names())
    engine.dispose()
    return names


def test_migrations_produce_exactly_the_models(database_url: str) -> None:
    migrate.upgrade(database_url)

    assert _differences(database_url) == [], "models and migrations disagree"


def test_upgrade_downgrade_upgrade_on_an_empty_database(database_url: str) -> None:
    migrate.upgrade(database_url)
    assert set(Base.metadata.tables) <= _tables(database_url)

    migrate.downgrade(database_url)
    assert _tables(database_url) == {"alembic_version"}

    migrate.upgrade(database_url)
    assert set(Base.metadata.tables) <= _tables(database_url)
    assert _differences(database_url) == []


def test_embedding_vectors_round_trip(database_url: str) -> None:
    import uuid

    from sqlalchemy.orm import Session

    from cloud.embeddings.models import Embedding

    migrate.upgrade(database_url)
    engine = create_engine(sqlalchemy_url(database_url), poolclass=pool.NullPool)
    with Session(engine) as session:
        row = Embedding(
            source_table="symptom_logs",
            source_id=uuid.uuid4(),
            model="test",
            dimensions=3,
            content="headache",
            vector=[0.5, -1.0, 2.25],
        )
        session.add(row)
        session.commit()
        session.expire_all()
        assert session.get(Embedding, row.id).vector == [0.5, -1.0, 2.25]  # type: ignore[union-attr]
    engine.dispose()


def test_partitioning_keeps_the_rows_of_the_growth_tables(database_url: str) -> None:
    import psycopg

    migrate.upgrade(database_url, "0001")
    with psycopg.connect(database_url, autocommit=True) as conn:
        device = conn.execute(
            "INSERT INTO devices (device_id) VALUES ('dev-1') RETURNING id"
        ).fetchone()
        assert device is not None
        conn.execute(
            "INSERT INTO ingested_messages (message_id, device_id, kind, seq, sent_at, "
            "effective_at, clock_synced, received_at) VALUES (gen_random_uuid(), 'dev-1', "
            "'heartbeat', 1, now() - interval '400 days', now(), false, now())"
        )
        conn.execute(
            "INSERT INTO device_heartbeats (device_pk, message_id, sent_at, received_at, "
            "uptime_s, outbox_depth, software_version, clock_synced) "
            "VALUES (%s, gen_random_uuid(), now(), now(), 1, 0, '1', true)",
            [device[0]],
        )
        conn.execute(
            "INSERT INTO dead_letters (topic, raw, reason, received_at) "
            "VALUES ('rest', 'x', 'bad', now() - interval '2 days')"
        )

    migrate.upgrade(database_url)

    with psycopg.connect(database_url) as conn:
        for table in ("ingested_messages", "device_heartbeats", "dead_letters"):
            row = conn.execute(f"SELECT count(*) FROM {table}").fetchone()
            assert row == (1,), table
