"""The people around a simulated patient, set up through the REST API.

Only the first administrator is written straight into the database (someone has to be able to
log in first); the caregiver, the doctor, the patient, the device and the plan are all made
through the API, the way a clinic's onboarding would.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from typing import Any

from cloud.db.seed import DEMO_PASSWORD
from firmware_sim.cloud_client import CloudClient
from firmware_sim.stack import LocalCloud

__all__ = ["DEMO_PASSWORD", "CareTeam", "bootstrap_admin", "set_up_patient"]


@dataclass
class CareTeam:
    """Logged-in clients of the patient's caregiver and doctor, and the patient's ids."""

    patient_id: str
    device_id: str
    caregiver: CloudClient
    doctor: CloudClient
    caregiver_email: str
    doctor_email: str
    password: str

    def close(self) -> None:
        self.caregiver.close()
        self.doctor.close()


def bootstrap_admin(
    cloud: LocalCloud, email: str | None = None, password: str = DEMO_PASSWORD
) -> CloudClient:
    """An administrator (made in the database if missing) and a client logged in as them."""
    from cloud.config import CloudSettings
    from cloud.users.schemas import UserIn
    from cloud.users.service import UserService
    from shared.enums import Role

    email = email or f"admin-{uuid.uuid4().hex[:8]}@medmind.example"
    with cloud.sessions() as db:
        users = UserService(db, CloudSettings())
        if users.by_email(email) is None:
            users.create(
                UserIn(email=email, full_name="MedMind Admin", role=Role.ADMIN, password=password)
            )
    client = CloudClient(cloud.api_url, email, password)
    client.login()
    return client


def set_up_patient(
    admin: CloudClient,
    api_url: str,
    device_id: str,
    timezone: str,
    *,
    label: str | None = None,
    password: str | None = None,
) -> CareTeam:
    """A caregiver and a doctor, their patient and the patient's device, all through the API."""
    label = label or uuid.uuid4().hex[:8]
    password = password or secrets.token_urlsafe(12)
    caregiver_email = f"caregiver-{label}@medmind.example"
    doctor_email = f"doctor-{label}@medmind.example"
    caregiver: dict[str, Any] = admin.create_user(
        caregiver_email, password, "Carol Caregiver", "caregiver"
    )
    doctor: dict[str, Any] = admin.create_user(doctor_email, password, "Dr. Dora Diaz", "doctor")
    patient = admin.create_patient("Pat Patient", timezone)
    admin.link_caregiver(patient["id"], caregiver["id"])
    admin.link_doctor(patient["id"], doctor["id"])
    admin.register_device(device_id, patient["id"])
    caregiver_client = CloudClient(api_url, caregiver_email, password)
    doctor_client = CloudClient(api_url, doctor_email, password)
    return CareTeam(
        patient_id=str(patient["id"]),
        device_id=device_id,
        caregiver=caregiver_client,
        doctor=doctor_client,
        caregiver_email=caregiver_email,
        doctor_email=doctor_email,
        password=password,
    )
