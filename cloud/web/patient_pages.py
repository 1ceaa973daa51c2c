"""My patients and the patient page."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import select

from cloud.deps import DbSession
from cloud.patients.access import PatientAccess
from cloud.patients.models import Patient
from cloud.web.deps import WebPatient, WebUser
from cloud.web.rendering import render

router = APIRouter()


@router.get("/")
def my_patients(request: Request, who: WebUser, db: DbSession) -> HTMLResponse:
    """Every patient this user may see."""
    statement = select(Patient).order_by(Patient.full_name, Patient.id)
    patients = db.scalars(PatientAccess(db, who.user).restrict(statement, Patient.id)).all()
    return render(request, "my_patients.html", who, patients=patients)


@router.get("/patients/{patient_id}")
def patient_page(request: Request, who: WebUser, patient: WebPatient) -> HTMLResponse:
    """One patient."""
    return render(request, "patient.html", who, patient=patient)
