"""Alembic environment: the models' metadata, the URL given by `cloud.db.migrate`."""

from __future__ import annotations

from typing import Any

from alembic import context
from sqlalchemy import create_engine, pool

import cloud.db.models
from cloud.embeddings.models import VectorOrArray
from cloud.partitions.service import not_a_partition

target_metadata = cloud.db.models.Base.metadata


def _compare_type(
    ctx: Any,
    inspected_column: Any,
    metadata_column: Any,
    inspected_type: Any,
    metadata_type: Any,
) -> bool | None:
    # The embedding column is pgvector or float8[] depending on the server; both are right.
    if isinstance(metadata_type, VectorOrArray):
        return False
    return None


def run_migrations_online() -> None:
    """Run migrations on the connection or URL placed in the Alembic config."""
    connection = context.config.attributes.get("connection")
    if connection is not None:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            compare_type=_compare_type,
            include_name=not_a_partition,
        )
        with context.begin_transaction():
            context.run_migrations()
        return
    url = context.config.get_main_option("sqlalchemy.url")
    assert url, "cloud.db.migrate sets sqlalchemy.url"
    engine = create_engine(url, poolclass=pool.NullPool)
    with engine.connect() as conn:
        context.configure(
            connection=conn,
            target_metadata=target_metadata,
            compare_type=_compare_type,
            include_name=not_a_partition,
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run_migrations_online()
