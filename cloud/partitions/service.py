"""Creating, filling and expiring the range partitions of one table (see the package docstring).

Partitions are named `<table>_p<YYYYMMDD>` after the start of their range and hold exactly one
period; `<table>_default` catches rows outside every range (a device clock far off, or a period
the job has not made yet) until the job makes their partition and moves them there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import CursorResult, text
from sqlalchemy.orm import Session

from cloud.partitions.periods import Period

_BOUNDS = re.compile(r"FOR VALUES FROM \('([^']+)'\) TO \('([^']+)'\)")
_PARTITION_NAME = re.compile(r"_(p\d{8}|default)$")
# The job waits this long for a table lock, then gives up until its next run: ingest (which
# holds the same tables' locks briefly and often) is never stalled behind it for long.
LOCK_TIMEOUT = "5s"


class Expired(StrEnum):
    """What happens to a partition past its retention."""

    DROP = "drop"
    # Detached partitions stay as plain tables, for an operator to archive and drop.
    DETACH = "detach"


@dataclass(frozen=True)
class PartitionedTable:
    """A table partitioned by range on `key`, one partition per `period`.

    Rows are kept at least `retention` after their `key` time; rows in the default partition
    expire by `default_expiry` (`key` when None), for when `key` is not a time the server set.
    """

    name: str
    key: str
    period: Period
    retention: timedelta
    ahead: int = 2
    default_expiry: str | None = None

    @property
    def default_partition(self) -> str:
        return f"{self.name}_default"

    def partition_name(self, start: datetime) -> str:
        return f"{self.name}_p{start:%Y%m%d}"

    def ready_until(self, now: datetime) -> datetime:
        """The start of the last period made ready ahead of `now`."""
        start = self.period.start(now)
        for _ in range(self.ahead):
            start = self.period.following(start)
        return start


@dataclass(frozen=True)
class Partition:
    """One range partition as the database has it: `[lower, upper)`."""

    name: str
    lower: datetime
    upper: datetime


@dataclass
class Maintenance:
    """What `maintain` did to one table."""

    created: list[str] = field(default_factory=list)
    moved_from_default: int = 0
    expired: list[str] = field(default_factory=list)
    expired_from_default: int = 0


def is_partition_name(name: str) -> bool:
    """True for the names this module gives partitions (for schema comparisons to skip)."""
    return _PARTITION_NAME.search(name) is not None


def not_a_partition(name: str | None, type_: str, parent_names: object) -> bool:
    """An Alembic `include_name` hook: partitions are made by the job, not declared as models."""
    return not (type_ == "table" and name is not None and is_partition_name(name))


def _rowcount(result: object) -> int:
    assert isinstance(result, CursorResult)
    return int(result.rowcount)


def _literal(at: datetime) -> str:
    return f"'{at.isoformat()}'"


class PartitionService:
    """Keeps a partitioned table's partitions; `maintain` owns its transaction."""

    def __init__(self, db: Session) -> None:
        self.db = db

    def partitions(self, table: PartitionedTable) -> list[Partition]:
        """The table's range partitions, oldest first (the default partition is not listed)."""
        # Bounds are read back as text: in ISO form whatever the server's or role's DateStyle.
        self.db.execute(text("SET LOCAL datestyle = 'ISO, YMD'"))
        rows = self.db.execute(
            text(
                "SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) FROM pg_inherits i "
                "JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = CAST(:t AS regclass)"
            ),
            {"t": table.name},
        ).all()
        found = []
        for name, bound in rows:
            match = _BOUNDS.fullmatch(bound)
            if match is not None:
                lower, upper = (datetime.fromisoformat(v) for v in match.groups())
                found.append(Partition(name, lower, upper))
        return sorted(found, key=lambda p: p.lower)

    def create_default(self, table: PartitionedTable) -> None:
        """Make the default partition (idempotent)."""
        self.db.execute(
            text(
                f'CREATE TABLE IF NOT EXISTS "{table.default_partition}" '
                f'PARTITION OF "{table.name}" DEFAULT'
            )
        )

    def ensure(self, table: PartitionedTable, first: datetime, until: datetime) -> Maintenance:
        """Make every missing partition for the periods from `first` to `until`, moving rows
        that waited in the default partition into them."""
        done = Maintenance()
        existing = {p.lower for p in self.partitions(table)}
        for start in table.period.starts(first, until):
            if start in existing:
                continue
            done.moved_from_default += self._create(table, start, table.period.following(start))
            done.created.append(table.partition_name(start))
        return done

    def _create(self, table: PartitionedTable, lower: datetime, upper: datetime) -> int:
        parent, default, key = table.name, table.default_partition, table.key
        name = table.partition_name(lower)
        create = text(
            f'CREATE TABLE "{name}" PARTITION OF "{parent}" '
            f"FOR VALUES FROM ({_literal(lower)}) TO ({_literal(upper)})"
        )
        in_range = f'"{key}" >= {_literal(lower)} AND "{key}" < {_literal(upper)}'
        waiting = self.db.execute(
            text(f'SELECT EXISTS (SELECT 1 FROM "{default}" WHERE {in_range})')
        ).scalar_one()
        if not waiting:
            self.db.execute(create)
            return 0
        # A new partition may not overlap rows of the default one: take the default out, move
        # its rows of this range through the parent into the new partition, put it back.
        self.db.execute(text(f'ALTER TABLE "{parent}" DETACH PARTITION "{default}"'))
        self.db.execute(create)
        moved = _rowcount(
            self.db.execute(
                text(
                    f'WITH moved AS (DELETE FROM "{default}" WHERE {in_range} RETURNING *) '
                    f'INSERT INTO "{parent}" SELECT * FROM moved'
                )
            )
        )
        self.db.execute(text(f'ALTER TABLE "{parent}" ATTACH PARTITION "{default}" DEFAULT'))
        return moved

    def expire(self, table: PartitionedTable, now: datetime, how: Expired) -> Maintenance:
        """Drop or detach the partitions wholly before `now - retention`; delete the default
        partition's rows past it."""
        done = Maintenance()
        cutoff = now - table.retention
        for partition in self.partitions(table):
            if partition.upper > cutoff:
                continue
            if how is Expired.DROP:
                self.db.execute(text(f'DROP TABLE "{partition.name}"'))
            else:
                self.db.execute(
                    text(f'ALTER TABLE "{table.name}" DETACH PARTITION "{partition.name}"')
                )
            done.expired.append(partition.name)
        column = table.default_expiry or table.key
        done.expired_from_default = _rowcount(
            self.db.execute(
                text(f'DELETE FROM "{table.default_partition}" WHERE "{column}" < :cutoff'),
                {"cutoff": cutoff},
            )
        )
        return done

    def maintain(self, table: PartitionedTable, now: datetime, how: Expired) -> Maintenance:
        """Partitions for the current period and `table.ahead` more; expire what is past
        retention. One transaction; the current and next periods are never expired."""
        self.db.execute(text(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'"))
        self.create_default(table)
        done = self.ensure(table, now, table.ready_until(now))
        expired = self.expire(table, now, how)
        done.expired, done.expired_from_default = expired.expired, expired.expired_from_default
        self.db.commit()
        return done
