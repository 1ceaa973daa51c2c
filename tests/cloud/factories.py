"""Factories for cloud test data: each call makes one realistic row (and what it needs)."""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy.orm import Session

from cloud.devices.models import Device, DeviceCredential
from cloud.patients.models import Caregiver, Doctor, Patient, PatientCaregiver, PatientDoctor
from cloud.plans.models import MedicationPlan
from cloud.plans.schemas import PlanItemIn, PlanVersionIn
from cloud.plans.service import PlanService
from cloud.users.models import User
from cloud.users.passwords import hash_password
from shared.enums import Role

DEFAULT_PASSWORD = "correct horse battery staple"
_counter = itertools.count(1)


@lru_cache(maxsize=16)
def _hashed(password: str) -> str:
    # Argon2 is slow on purpose; one hash per distinct test password is plenty.
    return hash_password(password)


@dataclass
class ProvisionedDevice:
    """A device with its one-time secret (as provisioning returns it)."""

    device: Device
    password: str

    @property
    def device_id(self) -> str:
        return self.device.device_id


class CloudFactory:
    """Makes rows in the test database; every method commits what it made."""

    def __init__(self, db: Session) -> None:
        self.db = db

    def _save(self, *rows: Any) -> None:
        self.db.add_all(rows)
        self.db.commit()

    def user(
        self,
        role: Role = Role.CAREGIVER,
        *,
        email: str | None = None,
        password: str = DEFAULT_PASSWORD,
    ) -> User:
        n = next(_counter)
        user = User(
            email=email or f"{role.value}{n}@example.test",
            full_name=f"Test {role.value.title()} {n}",
            role=role,
            password_hash=_hashed(password),
        )
        self._save(user)
        return user

    def patient(self, *, timezone: str = "Europe/Berlin", with_login: bool = False) -> Patient:
        n = next(_counter)
        user = self.user(Role.PATIENT) if with_login else None
        patient = Patient(
            full_name=f"Patient {n}",
            date_of_birth=date(1940, 1, 1) + timedelta(days=n),
            timezone=timezone,
            user_id=user.id if user else None,
        )
        self._save(patient)
        return patient

    def caregiver(self, *patients: Patient, primary: bool = False) -> User:
        user = self.user(Role.CAREGIVER)
        profile = Caregiver(user_id=user.id, phone="+49 30 1234567")
        self._save(profile)
        self._save(
            *(
                PatientCaregiver(
                    patient_id=p.id,
                    caregiver_id=profile.id,
                    relationship="daughter",
                    is_primary=primary,
                )
                for p in patients
            )
        )
        return user

    def doctor(self, *patients: Patient) -> User:
        user = self.user(Role.DOCTOR)
        profile = Doctor(user_id=user.id, specialty="General practice")
        self._save(profile)
        self._save(*(PatientDoctor(patient_id=p.id, doctor_id=profile.id) for p in patients))
        return user

    def admin(self) -> User:
        return self.user(Role.ADMIN)

    def device(
        self, patient: Patient | None, *, password: str = DEFAULT_PASSWORD
    ) -> ProvisionedDevice:
        n = next(_counter)
        device = Device(
            device_id=f"dev-{n:04d}-{uuid.uuid4().hex[:6]}",
            patient_id=patient.id if patient else None,
            name=f"Bedside {n}",
            provisioned_at=datetime.now(UTC),
        )
        self._save(device)
        self._save(
            DeviceCredential(
                device_pk=device.id, username=device.device_id, password_hash=_hashed(password)
            )
        )
        return ProvisionedDevice(device, password)

    def plan(
        self,
        patient: Patient,
        *,
        items: list[PlanItemIn] | None = None,
        now: datetime | None = None,
    ) -> MedicationPlan:
        start = (now or datetime.now(UTC)).date() - timedelta(days=30)
        spec = PlanVersionIn(
            items=items
            or [
                PlanItemIn(
                    medication_name="Metformin",
                    dose=500,
                    unit="mg",
                    times_of_day=["08:00", "20:00"],
                    start_date=start,
                ),
                PlanItemIn(
                    medication_name="Paracetamol",
                    dose=500,
                    unit="mg",
                    as_needed=True,
                    max_per_day=4,
                    start_date=start,
                ),
            ]
        )
        return PlanService(self.db).save_version(patient.id, spec, now=now)
