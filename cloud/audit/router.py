"""The access log of a patient, for the patient's doctors and admins."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from sqlalchemy import select

from cloud.api.pagination import Page, Paging, paginate
from cloud.audit.models import AccessLogEntry
from cloud.audit.schemas import AccessLogOut
from cloud.deps import Clinician, DbSession, VisiblePatient
from shared.enums import Role

router = APIRouter(tags=["access log"])


@router.get("/patients/{patient_id}/access-log", response_model=Page[AccessLogOut])
def access_log(
    _: Clinician,
    *,
    patient: VisiblePatient,
    db: DbSession,
    page: Paging,
    user_id: Annotated[uuid.UUID | None, Query(description="Only this user's accesses.")] = None,
    role: Annotated[Role | None, Query(description="Only accesses by this role.")] = None,
    action: Annotated[
        Literal["read", "create", "update", "delete"] | None, Query(description="Only this action.")
    ] = None,
    since: Annotated[datetime | None, Query(description="At or after this instant.")] = None,
    until: Annotated[datetime | None, Query(description="Before this instant.")] = None,
) -> Page[AccessLogOut]:
    """Who read or changed this patient's data, newest first (admins and the patient's doctors)."""
    statement = (
        select(AccessLogEntry)
        .where(AccessLogEntry.patient_id == patient.id)
        .order_by(AccessLogEntry.at.desc(), AccessLogEntry.id)
    )
    if user_id is not None:
        statement = statement.where(AccessLogEntry.user_id == user_id)
    if role is not None:
        statement = statement.where(AccessLogEntry.role == role)
    if action is not None:
        statement = statement.where(AccessLogEntry.action == action)
    if since is not None:
        statement = statement.where(AccessLogEntry.at >= since)
    if until is not None:
        statement = statement.where(AccessLogEntry.at < until)
    return paginate(db, statement, page, AccessLogOut.model_validate)
