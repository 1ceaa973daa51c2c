"""Alerts: list (all visible, or one patient's), acknowledge, resolve."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response
from sqlalchemy import select

from cloud.alerts.models import AlertLog, AlertStatus
from cloud.alerts.schemas import AlertOut
from cloud.alerts.service import AlertService
from cloud.api.pagination import Columns, Dates, Page, Paging, paginate, patient_list
from cloud.db.base import table_of
from cloud.deps import Access, CareTeam, DbSession, Now, VisiblePatient
from cloud.errors import NotFoundError
from shared.enums import AlertLevel, AlertType

router = APIRouter(tags=["alerts"])
_ALERT = Columns(AlertOut, table_of(AlertLog))


def visible_alert(
    alert_id: Annotated[uuid.UUID, Path(description="Alert id.")], access: Access, db: DbSession
) -> AlertLog:
    """The path's alert if its patient is visible to the caller (404 otherwise)."""
    alert = db.get(AlertLog, alert_id)
    if alert is None or not access.can_see(alert.patient_id):
        raise NotFoundError("alert not found")
    return alert


VisibleAlert = Annotated[AlertLog, Depends(visible_alert)]


@router.get("/alerts", response_model=Page[AlertOut])
def list_alerts(
    *,
    access: Access,
    db: DbSession,
    page: Paging,
    status: Annotated[AlertStatus | None, Query(description="Only this status.")] = None,
    level: Annotated[AlertLevel | None, Query(description="Only this level.")] = None,
    alert_type: Annotated[AlertType | None, Query(description="Only this type.")] = None,
    patient_id: Annotated[uuid.UUID | None, Query(description="Only this patient.")] = None,
) -> Page[AlertOut]:
    """Alerts of every patient the caller may see, newest first (each patient on the page is
    recorded in their access log)."""
    statement = access.restrict(select(AlertLog), AlertLog.patient_id).order_by(
        AlertLog.raised_at.desc(), AlertLog.id
    )
    if status is not None:
        statement = statement.where(AlertLog.status == status)
    if level is not None:
        statement = statement.where(AlertLog.level == level)
    if alert_type is not None:
        statement = statement.where(AlertLog.alert_type == alert_type)
    if patient_id is not None:
        statement = statement.where(AlertLog.patient_id == patient_id)
    listed = paginate(db, statement, page, AlertOut.model_validate)
    access.record(alert.patient_id for alert in listed.items)
    return listed


@router.get("/patients/{patient_id}/alerts", response_model=Page[AlertOut])
def patient_alerts(
    *,
    patient: VisiblePatient,
    db: DbSession,
    page: Paging,
    dates: Dates,
    status: Annotated[AlertStatus | None, Query(description="Only this status.")] = None,
) -> Response:
    """The patient's alerts raised on local dates `from`..`to`, newest first."""
    return patient_list(
        db,
        _ALERT,
        patient,
        page,
        dates,
        newest_first=AlertLog.raised_at,
        only={AlertLog.status: status},
    )


@router.get("/alerts/{alert_id}", response_model=AlertOut)
def get_alert(alert: VisibleAlert) -> AlertOut:
    """One alert."""
    return AlertOut.model_validate(alert)


@router.post("/alerts/{alert_id}/acknowledge", response_model=AlertOut)
def acknowledge_alert(user: CareTeam, alert: VisibleAlert, db: DbSession, now: Now) -> AlertOut:
    """Take the alert on: it stops escalating."""
    return AlertOut.model_validate(AlertService(db).acknowledge(alert, user.id, now))


@router.post("/alerts/{alert_id}/resolve", response_model=AlertOut)
def resolve_alert(user: CareTeam, alert: VisibleAlert, db: DbSession, now: Now) -> AlertOut:
    """Close the alert."""
    return AlertOut.model_validate(AlertService(db).resolve(alert, user.id, now))
