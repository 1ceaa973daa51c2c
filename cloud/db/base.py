"""Declarative base shared by every model: UUID keys, timestamps, enums stored by value."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import Enum
from typing import Any, cast

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Double,
    Integer,
    LargeBinary,
    MetaData,
    Table,
    Text,
    Uuid,
    func,
)
from sqlalchemy import Enum as SAEnum
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Base of every cloud model (one metadata, one naming convention for constraints)."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {
        uuid.UUID: Uuid(as_uuid=True),
        str: Text(),
        int: Integer(),
        float: Double(),
        bool: Boolean(),
        datetime: DateTime(timezone=True),
        date: Date(),
        bytes: LargeBinary(),
        dict[str, Any]: JSONB(),
        list[Any]: JSONB(),
    }


class UUIDPrimaryKey:
    """A random UUID primary key, made by Python or (for bulk SQL) by the server."""

    id: Mapped[uuid.UUID] = mapped_column(
        primary_key=True, default=uuid.uuid4, server_default=func.gen_random_uuid()
    )


class Timestamped:
    """`created_at` / `updated_at`, kept by the server."""

    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now(), onupdate=func.now())


def value_enum(enum_cls: type[Enum], length: int = 32) -> SAEnum:
    """A column type storing `enum_cls` by its values (VARCHAR, no native PostgreSQL enum)."""
    return SAEnum(
        enum_cls,
        values_callable=lambda members: [member.value for member in members],
        native_enum=False,
        length=length,
        validate_strings=True,
    )


BIGINT = BigInteger()


def table_of(model: type[Base]) -> Table:
    """The Core table of a mapped class (for set-wise Core statements)."""
    return cast(Table, model.__table__)
