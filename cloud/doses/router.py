"""Dose occurrences, dose events and adherence of a patient."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query, Response
from sqlalchemy import select

from cloud.api.pagination import (
    Columns,
    Dates,
    Page,
    Paging,
    model_response,
    paginate,
    patient_list,
)
from cloud.db.base import table_of
from cloud.deps import AppClock, CareTeam, DbSession, VisiblePatient
from cloud.doses.models import DoseEventLog, DoseOccurrence
from cloud.doses.schemas import AdherenceOut, DecisionIn, DoseEventOut, OccurrenceOut
from cloud.doses.service import DoseService
from shared.enums import DoseStatus

router = APIRouter(prefix="/patients/{patient_id}", tags=["doses"])
DEFAULT_ADHERENCE_DAYS = 30


def _occurrence_out(row: Any) -> OccurrenceOut:
    occurrence, event = row
    out = OccurrenceOut.model_validate(occurrence)
    if event is not None:
        out.decided_by = DoseEventOut.model_validate(event)
    return out


_OCCURRENCE = Columns(OccurrenceOut, table_of(DoseOccurrence), exclude={"decided_by"})
_EVENT = Columns(DoseEventOut, table_of(DoseEventLog))
_EVENT_START = len(_OCCURRENCE.columns)
# Labelled: both tables have columns named id, status, source, decided_at...
_DECIDING_EVENT_COLUMNS = tuple(column.label(f"event_{column.name}") for column in _EVENT.columns)


def _occurrence_from_row(row: Any) -> OccurrenceOut:
    # Rows are the occurrence's columns, then its deciding event's (all null without one).
    occurrence = _OCCURRENCE.values(row)
    if row[_EVENT_START] is not None:
        occurrence["decided_by"] = _EVENT.values(row[_EVENT_START:])
    return OccurrenceOut.model_validate(occurrence)


@router.get("/occurrences", response_model=Page[OccurrenceOut])
def list_occurrences(
    *,
    patient: VisiblePatient,
    db: DbSession,
    page: Paging,
    dates: Dates,
    status: Annotated[DoseStatus | None, Query(description="Only doses with this status.")] = None,
) -> Response:
    """Doses on the patient's local dates `from`..`to`, by due time, with the deciding event."""
    occurrences, events = table_of(DoseOccurrence), table_of(DoseEventLog)
    statement = (
        select(*_OCCURRENCE.columns, *_DECIDING_EVENT_COLUMNS)
        .select_from(
            occurrences.outerjoin(events, events.c.id == occurrences.c.decided_by_event_id)
        )
        .where(occurrences.c.patient_id == patient.id)
        .order_by(occurrences.c.due_at, occurrences.c.id)
    )
    if dates.start is not None:
        statement = statement.where(occurrences.c.local_date >= dates.start)
    if dates.end is not None:
        statement = statement.where(occurrences.c.local_date <= dates.end)
    if status is not None:
        statement = statement.where(occurrences.c.status == status.value)
    return model_response(paginate(db, statement, page, _occurrence_from_row, scalars=False))


@router.get("/occurrences/{occurrence_id}", response_model=OccurrenceOut)
def get_occurrence(
    patient: VisiblePatient, occurrence_id: uuid.UUID, db: DbSession
) -> OccurrenceOut:
    """One dose with the event that decided it."""
    occurrence = DoseService(db).occurrence(patient.id, occurrence_id)
    event = (
        db.get(DoseEventLog, occurrence.decided_by_event_id)
        if occurrence.decided_by_event_id
        else None
    )
    return _occurrence_out((occurrence, event))


@router.post("/occurrences/{occurrence_id}/decision", response_model=OccurrenceOut)
def decide_occurrence(
    *,
    user: CareTeam,
    patient: VisiblePatient,
    occurrence_id: uuid.UUID,
    body: DecisionIn,
    db: DbSession,
    clock: AppClock,
) -> OccurrenceOut:
    """Record what happened to a dose (source `remote`); it replaces the current status."""
    occurrence, event = DoseService(db, clock).decide(
        patient.id, occurrence_id, body, decided_by=user.id
    )
    return _occurrence_out((occurrence, event))


@router.get("/dose-events", response_model=Page[DoseEventOut])
def list_dose_events(
    *,
    patient: VisiblePatient,
    db: DbSession,
    page: Paging,
    dates: Dates,
    status: Annotated[DoseStatus | None, Query(description="Only events with this status.")] = None,
) -> Response:
    """Dose decisions made on the patient's local dates `from`..`to`, newest first."""
    return patient_list(
        db,
        _EVENT,
        patient,
        page,
        dates,
        newest_first=DoseEventLog.decided_at,
        only={DoseEventLog.status: status},
    )


@router.get("/adherence", response_model=AdherenceOut)
def adherence(patient: VisiblePatient, db: DbSession, dates: Dates, clock: AppClock) -> Response:
    """Live adherence over local dates `from`..`to` (default: the last 30 days)."""
    today = clock().astimezone(ZoneInfo(patient.timezone)).date()
    end = dates.end or today
    start = dates.start or end - timedelta(days=DEFAULT_ADHERENCE_DAYS - 1)
    start = min(start, end)
    return model_response(DoseService(db, clock).adherence(patient.id, start, end))
