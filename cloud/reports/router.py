"""`/patients/{id}/reports`: generate a health report for a visit (stored ones: archive_router)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated

from fastapi import APIRouter, Query, Response

from cloud.deps import CurrentUser, DbSession, Now, VisiblePatient
from cloud.reports.models import HealthReport
from cloud.reports.schemas import ReportFormat, ReportOut
from cloud.reports.service import ReportService

router = APIRouter(prefix="/patients/{patient_id}/reports", tags=["reports"])

FormatQuery = Annotated[
    ReportFormat, Query(description="json: metadata with links; html or pdf: the document.")
]


def _answer(report: HealthReport, fmt: ReportFormat) -> Response | ReportOut:
    if fmt is ReportFormat.HTML:
        return Response(report.html, media_type="text/html; charset=utf-8")
    if fmt is ReportFormat.PDF:
        return Response(
            report.pdf or b"",
            media_type="application/pdf",
            headers={"Content-Disposition": f'inline; filename="report-{report.id}.pdf"'},
        )
    base = f"/api/v1/patients/{report.patient_id}/health-reports/{report.id}"
    return ReportOut(
        id=report.id,
        patient_id=report.patient_id,
        range_start=report.range_start,
        range_end=report.range_end,
        title=report.title,
        generated_at=report.generated_at,
        html_url=f"{base}/html",
        pdf_url=f"{base}/pdf",
    )


@router.get(
    "",
    response_model=ReportOut,
    responses={200: {"content": {"text/html": {}, "application/pdf": {}}}},
)
def generate_report(
    *,
    patient: VisiblePatient,
    user: CurrentUser,
    db: DbSession,
    now: Now,
    date_from: Annotated[
        date | None, Query(alias="from", description="First local date (default: 30 days ago).")
    ] = None,
    date_to: Annotated[
        date | None, Query(alias="to", description="Last local date (default: yesterday).")
    ] = None,
    format: FormatQuery = ReportFormat.JSON,
) -> Response | ReportOut:
    """Make a health report (adherence by day and slot with charts, symptoms, alerts,
    insights, stock) as HTML and PDF, store it, and answer in the asked format."""
    end = date_to or (now.date() - timedelta(days=1))
    start = date_from or (end - timedelta(days=29))
    report = ReportService(db).generate(patient, start, end, now=now, user_id=user.id)
    return _answer(report, format)
