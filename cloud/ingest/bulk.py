"""Set-wise inserts for ingest batches: one statement over column arrays (`unnest`).

An executemany runs one statement per row on the server and costs the client a parameter
conversion per row and column; a multi-row VALUES makes the driver split a query of thousands
of parameters. `INSERT ... SELECT * FROM unnest(%s::type[], ...)` sends one small query and one
array per column, dumped in binary (text arrays are quoted element by element in Python). It
runs on the session's own connection, inside the session's transaction.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import psycopg
from psycopg import Connection
from psycopg.types.json import Jsonb
from sqlalchemy import Table
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

_DIALECT = postgresql.dialect()  # type: ignore[no-untyped-call]


@cache
def _statement(
    table: Table, columns: tuple[str, ...], conflict: str | None, returning: str | None
) -> str:
    arrays = ", ".join(f"%b::{table.c[name].type.compile(_DIALECT)}[]" for name in columns)
    sql = f"INSERT INTO {table.name} ({', '.join(columns)}) SELECT * FROM unnest({arrays})"
    if conflict is not None:
        sql += f" ON CONFLICT {conflict} DO NOTHING"
    if returning is not None:
        sql += f" RETURNING {returning}"
    return sql


def insert_rows(
    db: Session,
    table: Table,
    rows: list[dict[str, Any]],
    *,
    on_conflict: str | None = None,
    returning: str | None = None,
) -> list[Any]:
    """Insert `rows` (dicts with the same keys) in one statement; the `returning` values.

    `on_conflict` is None to fail on a conflict, "" to skip any conflicting row, or a conflict
    target such as "(id)" to skip rows that conflict on it.
    """
    if not rows:
        return []
    columns = tuple(rows[0])
    json_columns = {name for name in columns if isinstance(table.c[name].type, JSONB)}
    arrays = [
        [Jsonb(row[name]) if name in json_columns else row[name] for row in rows]
        for name in columns
    ]
    sql = _statement(table, columns, on_conflict, returning)
    return run_setwise(db, sql, arrays, returning=returning is not None)


def run_setwise(db: Session, sql: str, params: list[Any], *, returning: bool = False) -> list[Any]:
    """Run `sql` (one `%b` placeholder per parameter, mostly column arrays) on the session's
    connection and transaction; the first column of each returned row if `returning`."""
    rows = _execute(db, sql, params, fetch=returning)
    return [row[0] for row in rows]


def fetch_rows(db: Session, sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    """Run a query as `run_setwise` does (no ORM on the way); every row it returns."""
    return _execute(db, sql, params, fetch=True)


def _execute(db: Session, sql: str, params: list[Any], *, fetch: bool) -> list[tuple[Any, ...]]:
    connection: Connection[Any] = db.connection().connection.driver_connection  # type: ignore[assignment]
    try:
        with connection.cursor(binary=True) as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall() if fetch else []
    except psycopg.Error as exc:
        # As SQLAlchemy would raise it (IntegrityError, ...), so callers handle one family.
        raise DBAPIError.instance(sql, None, exc, psycopg.Error) from exc
