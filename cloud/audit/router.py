"""The access log of a patient, for the patient's doctors and admins."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query

from cloud.api.pagination import Page, Paging, paginate
from cloud.audit.schemas import AccessLogOut
from cloud.audit.service import AccessLogFilter, Action, access_log_of
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
    action: Annotated[Action | None, Query(description="Only this action.")] = None,
    since: Annotated[datetime | None, Query(description="At or after this instant.")] = None,
    until: Annotated[datetime | None, Query(description="Before this instant.")] = None,
) -> Page[AccessLogOut]:
    """Who read or changed this patient's data, newest first (admins and the patient's doctors)."""
    only = AccessLogFilter(user_id, role, action, since, until)
    return paginate(db, access_log_of(patient.id, only), page, AccessLogOut.model_validate)
