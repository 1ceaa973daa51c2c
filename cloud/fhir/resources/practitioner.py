"""`doctors` (+ their `users` row) -> Practitioner, visible through a linked patient."""

from __future__ import annotations

from typing import Any

from sqlalchemy import exists, select

from cloud.fhir import systems
from cloud.fhir.resources.common import Json, concept
from cloud.fhir.sources import Rows, Scope, TableSource
from cloud.patients.access import visible
from cloud.patients.models import Doctor, PatientDoctor
from cloud.users.models import User


def to_resource(row: Any) -> Json:
    """The Practitioner of a `(doctor, user)` row."""
    doctor: Doctor = row[0]
    user: User = row[1]
    resource: Json = {
        "resourceType": "Practitioner",
        "id": str(doctor.id),
        "active": user.is_active,
        "name": [{"text": user.full_name}],
        "telecom": [{"system": "email", "value": user.email}],
    }
    if doctor.license_number:
        resource["identifier"] = [{"system": systems.LICENSE, "value": doctor.license_number}]
    if doctor.specialty:
        resource["qualification"] = [{"code": concept(doctor.specialty)}]
    return resource


def _through_patients(statement: Rows, scope: Scope) -> Rows:
    # A doctor is seen through a patient the caller may see (admins: through any patient).
    link = exists().where(
        PatientDoctor.doctor_id == Doctor.id, visible(scope.user, PatientDoctor.patient_id)
    )
    if scope.patient_id is not None:
        link = link.where(PatientDoctor.patient_id == scope.patient_id)
    return statement.where(link)


SOURCE = TableSource(
    statement=select(Doctor, User).join(User, User.id == Doctor.user_id),
    id_column=Doctor.id,
    order=(User.full_name, Doctor.id),
    to_resource=to_resource,
    restrict=_through_patients,
)
