"""My patients and the patient page, with the actions taken from them (alerts, refills,
reports). Each action calls the service the REST route calls."""

from __future__ import annotations

import contextlib
import uuid
from datetime import date, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from cloud.alerts.models import AlertLog
from cloud.alerts.service import AlertService
from cloud.audit.hook import AccessAudit
from cloud.deps import CLINICIAN_ROLES, AppClock, DbSession, Now, ReadDbSession
from cloud.errors import ConflictError, NotFoundError
from cloud.fhir.bundles import searchset
from cloud.fhir.links import MOUNT_PATH, everything_path
from cloud.fhir.responses import FhirResponse
from cloud.fhir.service import FhirService
from cloud.medications.schemas import MedicationUpdate
from cloud.medications.service import MedicationService
from cloud.patients.access import PatientAccess
from cloud.patients.models import Patient
from cloud.reports.service import ReportService
from cloud.web import charts, views
from cloud.web.deps import CheckedForm, PageNotFoundError, WebPatient, WebUser
from cloud.web.rendering import render
from cloud.web.settings import WebSettings

router = APIRouter()
REPORT_DAYS = 30


def report_dates(now: datetime) -> tuple[date, date]:
    """The last 30 days up to yesterday: what the report and the FHIR export cover."""
    end = now.date() - timedelta(days=1)
    return end - timedelta(days=REPORT_DAYS - 1), end


def _rows(
    db: Session, figures: Session, who: WebUser, clock: AppClock, audit: AccessAudit | None
) -> list[views.PatientRow]:
    statement = select(Patient).order_by(Patient.full_name, Patient.id)
    access = PatientAccess(db, who.user, audit)
    patients = db.scalars(access.restrict(statement, Patient.id)).all()
    rows = views.my_patients(db, figures, patients, clock)
    # Each row shows the patient's doses, alerts and device: a look at each of them.
    access.record(row.patient.id for row in rows)
    return rows


def _poll(request: Request) -> int:
    settings: WebSettings = request.app.state.web_settings
    return settings.live_poll_seconds


@router.get("/")
def my_patients(
    request: Request, who: WebUser, db: DbSession, figures: ReadDbSession, clock: AppClock
) -> HTMLResponse:
    """One row per patient, worst first (each patient's access log records the look)."""
    rows = _rows(db, figures, who, clock, AccessAudit.of_request(request))
    return render(request, "my_patients.html", who, rows=rows, poll_seconds=_poll(request))


@router.get("/patients-table")
def my_patients_table(
    request: Request, who: WebUser, db: DbSession, figures: ReadDbSession, clock: AppClock
) -> HTMLResponse:
    """The My patients table alone, for the page to refresh itself (not recorded again: it
    repeats the look the page's load recorded, every few seconds while the page is open)."""
    rows = _rows(db, figures, who, clock, None)
    return render(request, "my_patients_table.html", who, rows=rows, poll_seconds=_poll(request))


@router.get("/patients/{patient_id}")
def patient_page(
    *,
    request: Request,
    who: WebUser,
    patient: WebPatient,
    db: DbSession,
    figures: ReadDbSession,
    clock: AppClock,
    days: Annotated[str, Query(max_length=3)] = str(views.CHART_RANGES[0]),
) -> HTMLResponse:
    """The patient's day, adherence chart, alerts, symptoms, conversations, stock, reports."""
    ranges = {str(choice): choice for choice in views.CHART_RANGES}
    chart_days = ranges.get(days, views.CHART_RANGES[0])
    page = views.patient_page(db, figures, patient, clock, chart_days)
    now = clock()
    first, last = report_dates(now)
    return render(
        request,
        "patient.html",
        who,
        page=page,
        chart=charts.adherence_chart(page.chart, page.trend),
        symptom_dots=charts.symptom_chart(
            page.symptoms, now - timedelta(days=views.RECENT_SYMPTOM_DAYS), now
        ),
        chart_sizes=charts,
        poll_seconds=_poll(request),
        may_see_access_log=who.user.role in CLINICIAN_ROLES,
        # Clinicians take a record into a clinic's system: the page offers them the export.
        fhir_path=everything_path(patient.id, first, last)
        if who.user.role in CLINICIAN_ROLES
        else None,
    )


@router.get("/patients/{patient_id}/alerts")
def patient_alerts(
    request: Request, who: WebUser, patient: WebPatient, db: DbSession
) -> HTMLResponse:
    """The patient's alerts section alone, for the page to refresh itself."""
    open_alerts, past_alerts = views.alerts_of(db, patient.id)
    return render(
        request,
        "patient_alerts.html",
        who,
        patient=patient,
        open_alerts=open_alerts,
        past_alerts=past_alerts,
        poll_seconds=_poll(request),
    )


def _patient_alert(db: DbSession, patient: Patient, alert_id: str) -> AlertLog:
    try:
        alert = AlertService(db).get(uuid.UUID(alert_id))
    except (ValueError, NotFoundError):
        raise PageNotFoundError from None
    if alert.patient_id != patient.id:
        raise PageNotFoundError
    return alert


def _back_to(patient: Patient, anchor: str) -> Response:
    return RedirectResponse(
        f"/app/patients/{patient.id}#{anchor}", status_code=status.HTTP_303_SEE_OTHER
    )


@router.post("/patients/{patient_id}/alerts/{alert_id}/acknowledge")
def acknowledge_alert(
    who: WebUser, patient: WebPatient, db: DbSession, now: Now, _: CheckedForm, alert_id: str
) -> Response:
    """Someone is on it: the escalation ladder stops climbing."""
    alert = _patient_alert(db, patient, alert_id)
    with contextlib.suppress(ConflictError):  # resolved meanwhile: the page shows it so
        AlertService(db).acknowledge(alert, who.user.id, now)
    return _back_to(patient, "alerts")


@router.post("/patients/{patient_id}/alerts/{alert_id}/resolve")
def resolve_alert(
    who: WebUser, patient: WebPatient, db: DbSession, now: Now, _: CheckedForm, alert_id: str
) -> Response:
    """The cause is dealt with."""
    AlertService(db).resolve(_patient_alert(db, patient, alert_id), who.user.id, now)
    return _back_to(patient, "alerts")


@router.post("/patients/{patient_id}/medications/{medication_id}/refilled")
def record_refill(
    patient: WebPatient, db: DbSession, now: Now, form: CheckedForm, medication_id: str
) -> Response:
    """A new pack arrived: the dispensed quantity starts again from now."""
    service = MedicationService(db)
    try:
        medication = service.get(patient.id, uuid.UUID(medication_id))
    except (ValueError, NotFoundError):
        raise PageNotFoundError from None
    try:
        changes = MedicationUpdate(quantity_dispensed=form.get("quantity"), dispensed_at=now)
    except ValidationError:
        return _back_to(patient, "stock")
    service.update(medication, changes)
    return _back_to(patient, "stock")


@router.get("/patients/{patient_id}/report.pdf")
def download_report(who: WebUser, patient: WebPatient, db: DbSession, now: Now) -> Response:
    """The health report of the last 30 days up to yesterday, as the REST route makes it."""
    start, end = report_dates(now)
    report = ReportService(db).generate(patient, start, end, now=now, user_id=who.user.id)
    return Response(
        report.pdf or b"",
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="medmind-report-{end}.pdf"',
            "Cache-Control": "no-store",
        },
    )


@router.get("/patients/{patient_id}/fhir-everything.json")
def download_fhir_export(
    request: Request, who: WebUser, patient: WebPatient, db: DbSession, now: Now
) -> Response:
    """The FHIR `$everything` of the report's 30 days, as `/fhir/R4` answers it (a browser's
    session cookie does not reach `/fhir/R4`, which takes bearer tokens: this is the same
    service behind the web session)."""
    start, end = report_dates(now)
    audit = AccessAudit.of_request(request)
    resources = FhirService(db, who.user, now, audit).everything(patient.id, start, end)
    base = str(request.base_url).rstrip("/") + MOUNT_PATH
    self_url = base.removesuffix(MOUNT_PATH) + everything_path(patient.id, start, end)
    return FhirResponse(
        searchset(base, resources, len(resources), self_url),
        headers={
            "Content-Disposition": f'attachment; filename="medmind-fhir-{end}.json"',
            "Cache-Control": "no-store",
        },
    )
