"""Patients and their care team: create, change, link caregivers and doctors."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cloud.errors import ConflictError, NotFoundError, ValidationFailedError
from cloud.patients.models import Caregiver, Doctor, Patient, PatientCaregiver, PatientDoctor
from cloud.patients.schemas import (
    CaregiverLinkIn,
    CareTeamMember,
    DoctorLinkIn,
    PatientIn,
    PatientUpdate,
)
from cloud.users.models import User
from shared.enums import Role


class PatientService:
    """Patient records and care-team links; owns its transaction."""

    def __init__(self, db: Session) -> None:
        self.db = db

    def create(self, spec: PatientIn, *, created_by: User) -> Patient:
        """A new patient; a doctor who creates one is linked to them."""
        if spec.user_id is not None:
            login = self.db.get(User, spec.user_id)
            if login is None or login.role is not Role.PATIENT:
                raise ValidationFailedError("user_id must be a user of role patient")
        patient = Patient(id=uuid.uuid4(), **spec.model_dump())
        self.db.add(patient)
        if created_by.role is Role.DOCTOR:
            doctor = self._profile(Doctor, created_by.id)
            self.db.add(PatientDoctor(patient_id=patient.id, doctor_id=doctor.id))
        self._commit("that user is already the login of another patient")
        return patient

    def update(self, patient: Patient, changes: PatientUpdate) -> Patient:
        """Apply the given fields."""
        for name, value in changes.model_dump(exclude_unset=True).items():
            if value is not None or name == "date_of_birth":
                setattr(patient, name, value)
        self.db.commit()
        return patient

    def delete(self, patient: Patient) -> None:
        """Remove the patient and (by cascade) their medical data."""
        self.db.delete(patient)
        self.db.commit()

    def care_team(self, patient_id: uuid.UUID) -> list[CareTeamMember]:
        """Caregivers and doctors linked to the patient."""
        caregivers = self.db.execute(
            select(User, PatientCaregiver)
            .join(Caregiver, Caregiver.user_id == User.id)
            .join(PatientCaregiver, PatientCaregiver.caregiver_id == Caregiver.id)
            .where(PatientCaregiver.patient_id == patient_id)
            .order_by(User.full_name)
        ).all()
        doctors = self.db.execute(
            select(User, PatientDoctor)
            .join(Doctor, Doctor.user_id == User.id)
            .join(PatientDoctor, PatientDoctor.doctor_id == Doctor.id)
            .where(PatientDoctor.patient_id == patient_id)
            .order_by(User.full_name)
        ).all()
        members = [
            CareTeamMember(
                user_id=user.id,
                full_name=user.full_name,
                email=user.email,
                role=user.role.value,
                relationship=link.relationship,
                is_primary=link.is_primary,
                linked_at=link.created_at,
            )
            for user, link in caregivers
        ]
        members += [
            CareTeamMember(
                user_id=user.id,
                full_name=user.full_name,
                email=user.email,
                role=user.role.value,
                linked_at=link.created_at,
            )
            for user, link in doctors
        ]
        return members

    def link_caregiver(self, patient: Patient, spec: CaregiverLinkIn) -> None:
        """Give a caregiver access to the patient."""
        caregiver = self._profile(Caregiver, spec.user_id)
        self.db.add(
            PatientCaregiver(
                patient_id=patient.id,
                caregiver_id=caregiver.id,
                relationship=spec.relationship,
                is_primary=spec.is_primary,
            )
        )
        self._commit("that caregiver is already linked to this patient")

    def link_doctor(self, patient: Patient, spec: DoctorLinkIn) -> None:
        """Give a doctor access to the patient."""
        doctor = self._profile(Doctor, spec.user_id)
        self.db.add(PatientDoctor(patient_id=patient.id, doctor_id=doctor.id))
        self._commit("that doctor is already linked to this patient")

    def unlink(self, patient: Patient, user_id: uuid.UUID) -> None:
        """Remove a caregiver or doctor from the patient's care team."""
        caregivers = select(Caregiver.id).where(Caregiver.user_id == user_id).scalar_subquery()
        doctors = select(Doctor.id).where(Doctor.user_id == user_id).scalar_subquery()
        removed = self.db.execute(
            delete(PatientCaregiver).where(
                PatientCaregiver.patient_id == patient.id,
                PatientCaregiver.caregiver_id == caregivers,
            )
        ).rowcount  # type: ignore[attr-defined]
        removed += self.db.execute(
            delete(PatientDoctor).where(
                PatientDoctor.patient_id == patient.id, PatientDoctor.doctor_id == doctors
            )
        ).rowcount  # type: ignore[attr-defined]
        if not removed:
            self.db.rollback()
            raise NotFoundError("that user is not in this patient's care team")
        self.db.commit()

    def _profile(self, model: Any, user_id: uuid.UUID) -> Any:
        profile = self.db.scalar(select(model).where(model.user_id == user_id))
        if profile is None:
            kind = "doctor" if model is Doctor else "caregiver"
            raise ValidationFailedError(f"user {user_id} is not a {kind}")
        return profile

    def _commit(self, conflict_message: str) -> None:
        try:
            self.db.commit()
        except IntegrityError:
            self.db.rollback()
            raise ConflictError(conflict_message) from None
