"""Patients, the caregivers and doctors looking after them, and the links between them."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from cloud.db.base import Base, Timestamped, UUIDPrimaryKey


class Patient(UUIDPrimaryKey, Timestamped, Base):
    """A person whose medication MedMind follows; may have a login of role patient."""

    __tablename__ = "patients"

    # A patient's login may be removed while their medical history stays.
    user_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), unique=True
    )
    full_name: Mapped[str]
    date_of_birth: Mapped[date | None]
    timezone: Mapped[str] = mapped_column(default="UTC", server_default="UTC")
    notes: Mapped[str] = mapped_column(default="", server_default="")


class Caregiver(UUIDPrimaryKey, Timestamped, Base):
    """The caregiver profile of a user of role caregiver."""

    __tablename__ = "caregivers"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), unique=True
    )
    phone: Mapped[str | None]


class Doctor(UUIDPrimaryKey, Timestamped, Base):
    """The doctor profile of a user of role doctor."""

    __tablename__ = "doctors"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), unique=True
    )
    specialty: Mapped[str | None]
    license_number: Mapped[str | None]


class PatientCaregiver(UUIDPrimaryKey, Timestamped, Base):
    """A caregiver looks after a patient (grants access to the patient's data)."""

    __tablename__ = "patient_caregiver"
    __table_args__ = (UniqueConstraint("patient_id", "caregiver_id"),)

    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"))
    caregiver_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("caregivers.id", ondelete="CASCADE"), index=True
    )
    relationship: Mapped[str | None]
    is_primary: Mapped[bool] = mapped_column(default=False, server_default="false")


class PatientDoctor(UUIDPrimaryKey, Timestamped, Base):
    """A doctor treats a patient (grants access to the patient's data)."""

    __tablename__ = "patient_doctor"
    __table_args__ = (UniqueConstraint("patient_id", "doctor_id"),)

    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"))
    doctor_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("doctors.id", ondelete="CASCADE"), index=True
    )
