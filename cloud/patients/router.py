"""Patients and their care team."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response, status
from sqlalchemy import select

from cloud.api.pagination import Page, Paging, paginate
from cloud.deps import Access, Admin, CareTeam, Clinician, DbSession, VisiblePatient
from cloud.patients.models import Patient
from cloud.patients.schemas import (
    CaregiverLinkIn,
    CareTeamMember,
    DoctorLinkIn,
    PatientIn,
    PatientOut,
    PatientUpdate,
)
from cloud.patients.service import PatientService

router = APIRouter(prefix="/patients", tags=["patients"])


@router.get("", response_model=Page[PatientOut])
def list_patients(
    access: Access,
    db: DbSession,
    page: Paging,
    q: Annotated[str | None, Query(max_length=100, description="Name contains.")] = None,
) -> Page[PatientOut]:
    """Patients the caller may see (each on the page is recorded in their access log)."""
    statement = access.restrict(select(Patient), Patient.id).order_by(Patient.full_name, Patient.id)
    if q:
        escaped = q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        statement = statement.where(Patient.full_name.ilike(f"%{escaped}%", escape="\\"))
    listed = paginate(db, statement, page, PatientOut.model_validate)
    access.record(patient.id for patient in listed.items)
    return listed


@router.post("", response_model=PatientOut, status_code=status.HTTP_201_CREATED)
def create_patient(user: Clinician, body: PatientIn, db: DbSession) -> PatientOut:
    """Create a patient (admin or doctor; the doctor is linked to them)."""
    return PatientOut.model_validate(PatientService(db).create(body, created_by=user))


@router.get("/{patient_id}", response_model=PatientOut)
def get_patient(patient: VisiblePatient) -> PatientOut:
    """One patient."""
    return PatientOut.model_validate(patient)


@router.patch("/{patient_id}", response_model=PatientOut)
def update_patient(
    _: CareTeam, patient: VisiblePatient, body: PatientUpdate, db: DbSession
) -> PatientOut:
    """Change a patient's details."""
    return PatientOut.model_validate(PatientService(db).update(patient, body))


@router.delete("/{patient_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_patient(_: Admin, patient: VisiblePatient, db: DbSession) -> Response:
    """Delete a patient and all their data (admin only)."""
    PatientService(db).delete(patient)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/{patient_id}/care-team", response_model=list[CareTeamMember])
def care_team(patient: VisiblePatient, db: DbSession) -> list[CareTeamMember]:
    """Caregivers and doctors linked to the patient."""
    return PatientService(db).care_team(patient.id)


@router.post("/{patient_id}/caregivers", status_code=status.HTTP_204_NO_CONTENT)
def link_caregiver(
    _: Clinician, patient: VisiblePatient, body: CaregiverLinkIn, db: DbSession
) -> Response:
    """Link a caregiver to the patient (admin or a linked doctor)."""
    PatientService(db).link_caregiver(patient, body)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/{patient_id}/doctors", status_code=status.HTTP_204_NO_CONTENT)
def link_doctor(
    _: Clinician, patient: VisiblePatient, body: DoctorLinkIn, db: DbSession
) -> Response:
    """Link a doctor to the patient (admin or a linked doctor)."""
    PatientService(db).link_doctor(patient, body)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.delete("/{patient_id}/care-team/{user_id}", status_code=status.HTTP_204_NO_CONTENT)
def unlink(_: Clinician, patient: VisiblePatient, user_id: uuid.UUID, db: DbSession) -> Response:
    """Remove a caregiver or doctor from the patient's care team."""
    PatientService(db).unlink(patient, user_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
