"""Text embeddings of patient records, for semantic search by the analytics and reports.

The `vector` column is a pgvector `vector` where the extension is available (the embedded
PostgreSQL ships it) and a `double precision[]` otherwise; the migration picks. This type
writes a list of floats either way (pgvector casts float8[] on assignment) and reads both the
array and pgvector's text form back as a list of floats.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import ForeignKey, UniqueConstraint
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import TypeDecorator, UserDefinedType

from cloud.db.base import Base, Timestamped, UUIDPrimaryKey


class _FloatList(UserDefinedType[list[float]]):
    """The column as SQLAlchemy sees it; values pass through psycopg untouched."""

    cache_ok = True

    def get_col_spec(self, **kw: Any) -> str:
        return "double precision[]"


class VectorOrArray(TypeDecorator[list[float]]):
    """A float vector stored as pgvector `vector` or as `double precision[]`."""

    impl = _FloatList
    cache_ok = True

    def process_bind_param(self, value: list[float] | None, dialect: Dialect) -> Any:
        return None if value is None else [float(x) for x in value]

    def process_result_value(self, value: Any, dialect: Dialect) -> list[float] | None:
        if value is None:
            return None
        if isinstance(value, str):
            inner = value.strip().strip("[]{}")
            return [float(x) for x in inner.split(",")] if inner else []
        return [float(x) for x in value]


class Embedding(UUIDPrimaryKey, Timestamped, Base):
    """The embedding of one source row's text by one model."""

    __tablename__ = "embeddings"
    __table_args__ = (UniqueConstraint("source_table", "source_id", "model"),)

    patient_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("patients.id", ondelete="CASCADE"), index=True
    )
    source_table: Mapped[str]
    source_id: Mapped[uuid.UUID]
    model: Mapped[str]
    dimensions: Mapped[int]
    content: Mapped[str]
    vector: Mapped[list[float]] = mapped_column(VectorOrArray())
