"""Reading a patient's access log: the filters the REST list and the web page share."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from cloud.audit.models import AccessLogEntry
from cloud.users.models import User
from shared.enums import Role

Action = Literal["read", "create", "update", "delete"]
ACTIONS: tuple[Action, ...] = ("read", "create", "update", "delete")


@dataclass(frozen=True)
class AccessLogFilter:
    """Which entries to list: by whom, which role, which action, from `since` to before `until`."""

    user_id: uuid.UUID | None = None
    role: Role | None = None
    action: Action | None = None
    since: datetime | None = None
    until: datetime | None = None


def access_log_of(patient_id: uuid.UUID, only: AccessLogFilter) -> Select[Any]:
    """The patient's entries matching `only`, newest first."""
    statement = (
        select(AccessLogEntry)
        .where(AccessLogEntry.patient_id == patient_id)
        .order_by(AccessLogEntry.at.desc(), AccessLogEntry.id)
    )
    if only.user_id is not None:
        statement = statement.where(AccessLogEntry.user_id == only.user_id)
    if only.role is not None:
        statement = statement.where(AccessLogEntry.role == only.role)
    if only.action is not None:
        statement = statement.where(AccessLogEntry.action == only.action)
    if only.since is not None:
        statement = statement.where(AccessLogEntry.at >= only.since)
    if only.until is not None:
        statement = statement.where(AccessLogEntry.at < only.until)
    return statement


def people_in_log(db: Session, patient_id: uuid.UUID) -> list[User]:
    """The users who appear in the patient's access log, by name (users since deleted are
    not among them; their entries keep their id)."""
    who = select(AccessLogEntry.user_id).where(AccessLogEntry.patient_id == patient_id).distinct()
    return list(
        db.scalars(select(User).where(User.id.in_(who)).order_by(User.full_name, User.email))
    )


def users_by_id(db: Session, user_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, User]:
    """The users of these ids that still exist."""
    ids = set(user_ids)
    if not ids:
        return {}
    return {user.id: user for user in db.scalars(select(User).where(User.id.in_(ids)))}
