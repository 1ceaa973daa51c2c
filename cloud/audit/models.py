"""The access log: one row per read or change of a patient's data, never updated or deleted.

Partitioned by month on `at` (partitions are made ahead by `cloud.audit.partitions`); the
migration adds a trigger refusing UPDATE, DELETE and TRUNCATE. No foreign keys: the record of
an access outlives the user and even the patient it names.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Index, func
from sqlalchemy.orm import Mapped, mapped_column

from cloud.db.base import Base, value_enum
from shared.enums import Role


class AccessLogEntry(Base):
    """Who (user, role) did what (action) to which patient's resource, when, from where."""

    __tablename__ = "access_log"
    __table_args__ = (
        Index("ix_access_log_patient_id_at", "patient_id", "at"),
        {"postgresql_partition_by": "RANGE (at)"},
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, server_default=func.gen_random_uuid())
    at: Mapped[datetime] = mapped_column(primary_key=True, server_default=func.now())
    user_id: Mapped[uuid.UUID]
    role: Mapped[Role] = mapped_column(value_enum(Role))
    action: Mapped[str]
    patient_id: Mapped[uuid.UUID]
    resource: Mapped[str]
    path: Mapped[str]
    address: Mapped[str | None]
