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
                )
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
