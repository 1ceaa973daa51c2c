"""Partition the growth tables by time: ingested_messages, device_heartbeats, dead_letters.

Each table is rebuilt as a range-partitioned table with the same columns, its rows kept: the
partitions of the retention window up to the next periods are made (rows older than the window
land in the default partition, which the `partitions` job empties as they expire). A unique key
of a partitioned table must hold the partition key, so the keys grow by it; the heartbeat's
message id is no longer unique (ingested_messages refuses repeats). See cloud.partitions.

Revision ID: 0007_partitions
Revises: 0006_fhir
Create Date: 2026-12-03 17:40:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import NamedTuple

from alembic import op
from sqlalchemy import text
from sqlalchemy.orm import Session

from cloud.partitions.service import PartitionService
from cloud.partitions.settings import PartitionSettings
from cloud.partitions.tables import growth_tables

revision: str = "0007_partitions"
down_revision: str | None = "0006_fhir"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


class _Keys(NamedTuple):
    """A table's key, unique constraints and indexes, before and after partitioning."""

    table: str
    key_before: str
    key_after: str
    indexes: tuple[tuple[str, str], ...]
    unique_before: tuple[tuple[str, str], ...] = ()


KEYS = (
    _Keys(
        "ingested_messages",
        "message_id",
        "message_id, sent_at",
        (("ix_ingested_messages_device_id_seq", "device_id, seq"),),
    ),
    _Keys(
        "device_heartbeats",
        "id",
        "id, received_at",
        (("ix_device_heartbeats_device_pk_received_at", "device_pk, received_at"),),
        (("uq_device_heartbeats_message_id", "message_id"),),
    ),
    _Keys(
        "dead_letters",
        "id",
        "id, received_at",
        (
            ("ix_dead_letters_device_id", "device_id"),
            ("ix_dead_letters_received_at", "received_at"),
        ),
    ),
)


def _set_aside(keys: _Keys, unique: tuple[tuple[str, str], ...]) -> str:
    """Rename the table away and free its index names; the name it now has."""
    old = f"{keys.table}_unpartitioned"
    op.execute(f"ALTER TABLE {keys.table} RENAME TO {old}")
    op.execute(f"ALTER TABLE {old} DROP CONSTRAINT pk_{keys.table}")
    for name, _ in unique:
        op.execute(f"ALTER TABLE {old} DROP CONSTRAINT {name}")
    for name, _ in keys.indexes:
        op.execute(f"DROP INDEX {name}")
    return old


def _add_keys(keys: _Keys, primary: str, unique: tuple[tuple[str, str], ...]) -> None:
    op.execute(f"ALTER TABLE {keys.table} ADD CONSTRAINT pk_{keys.table} PRIMARY KEY ({primary})")
    for name, columns in unique:
        op.execute(f"ALTER TABLE {keys.table} ADD CONSTRAINT {name} UNIQUE ({columns})")
    for name, columns in keys.indexes:
        op.execute(f"CREATE INDEX {name} ON {keys.table} ({columns})")


def upgrade() -> None:
    now = datetime.now(UTC)
    service = PartitionService(Session(bind=op.get_bind()))
    tables = {table.name: table for table in growth_tables(PartitionSettings())}
    for keys in KEYS:
        table = tables[keys.table]
        old = _set_aside(keys, keys.unique_before)
        op.execute(
            f"CREATE TABLE {keys.table} (LIKE {old} INCLUDING DEFAULTS INCLUDING CONSTRAINTS) "
            f"PARTITION BY RANGE ({table.key})"
        )
        oldest = op.get_bind().execute(text(f"SELECT min({table.key}) FROM {old}")).scalar()
        first = now - table.retention if oldest is None else max(oldest, now - table.retention)
        service.create_default(table)
        service.ensure(table, first, table.ready_until(now))
        op.execute(f"INSERT INTO {keys.table} SELECT * FROM {old}")
        op.execute(f"DROP TABLE {old}")
        _add_keys(keys, keys.key_after, ())
    op.execute(
        "ALTER TABLE device_heartbeats ADD CONSTRAINT fk_device_heartbeats_device_pk_devices "
        "FOREIGN KEY (device_pk) REFERENCES devices (id) ON DELETE CASCADE"
    )


def downgrade() -> None:
    for keys in KEYS:
        old = _set_aside(keys, ())
        op.execute(
            f"CREATE TABLE {keys.table} (LIKE {old} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)"
        )
        _add_keys(keys, keys.key_before, keys.unique_before)
        # A message id stored in two partitions (a repeat after its first copy expired)
        # comes back once.
        op.execute(f"INSERT INTO {keys.table} SELECT * FROM {old} ON CONFLICT DO NOTHING")
        op.execute(f"DROP TABLE {old}")
    op.execute(
        "ALTER TABLE device_heartbeats ADD CONSTRAINT fk_device_heartbeats_device_pk_devices "
        "FOREIGN KEY (device_pk) REFERENCES devices (id) ON DELETE CASCADE"
    )
