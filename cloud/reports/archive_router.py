"""Stored health reports: list, read as HTML, download as PDF (generation is `router.py`'s)."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, ConfigDict
from sqlalchemy import select

from cloud.api.pagination import Page, Paging, paginate
from cloud.deps import DbSession, VisiblePatient
from cloud.errors import NotFoundError
from cloud.reports.models import HealthReport

router = APIRouter(prefix="/patients/{patient_id}/health-reports", tags=["reports"])


class HealthReportOut(BaseModel):
    """A stored report (without its documents)."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    patient_id: uuid.UUID
    range_start: date
    range_end: date
    title: str
    generated_at: datetime
    generated_by_user_id: uuid.UUID | None
    has_pdf: bool


def _out(report: HealthReport) -> HealthReportOut:
    return HealthReportOut(
        id=report.id,
        patient_id=report.patient_id,
        range_start=report.range_start,
        range_end=report.range_end,
        title=report.title,
        generated_at=report.generated_at,
        generated_by_user_id=report.generated_by_user_id,
        has_pdf=report.pdf is not None,
    )


def _report(db: DbSession, patient_id: uuid.UUID, report_id: uuid.UUID) -> HealthReport:
    report = db.scalar(
        select(HealthReport).where(
            HealthReport.id == report_id, HealthReport.patient_id == patient_id
        )
    )
    if report is None:
        raise NotFoundError("report not found")
    return report


@router.get("", response_model=Page[HealthReportOut])
def list_reports(patient: VisiblePatient, db: DbSession, page: Paging) -> Page[HealthReportOut]:
    """The patient's stored reports, newest first."""
    statement = (
        select(HealthReport)
        .where(HealthReport.patient_id == patient.id)
        .order_by(HealthReport.generated_at.desc(), HealthReport.id)
    )
    return paginate(db, statement, page, _out)


@router.get("/{report_id}", response_model=HealthReportOut)
def get_report(patient: VisiblePatient, report_id: uuid.UUID, db: DbSession) -> HealthReportOut:
    """One stored report's details."""
    return _out(_report(db, patient.id, report_id))


@router.get(
    "/{report_id}/html",
    response_model=None,
    responses={200: {"content": {"text/html": {"schema": {"type": "string"}}}}},
)
def report_html(patient: VisiblePatient, report_id: uuid.UUID, db: DbSession) -> HTMLResponse:
    """The report as HTML."""
    return HTMLResponse(_report(db, patient.id, report_id).html)


@router.get(
    "/{report_id}/pdf",
    response_model=None,
    responses={
        200: {
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
            "description": "The PDF document.",
        }
    },
)
def report_pdf(patient: VisiblePatient, report_id: uuid.UUID, db: DbSession) -> Response:
    """The report as PDF (404 if it was stored without one)."""
    report = _report(db, patient.id, report_id)
    if report.pdf is None:
        raise NotFoundError("this report has no PDF")
    return Response(report.pdf, media_type="application/pdf")
