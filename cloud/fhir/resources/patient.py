"""`patients` -> Patient (with the time zone and the linked doctors as general practitioners)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from cloud.fhir import systems
from cloud.fhir.resources.common import Json, day, extension, ref
from cloud.fhir.sources import TableSource
from cloud.patients.models import Patient, PatientDoctor

_DOCTORS = (
    select(func.array_agg(PatientDoctor.doctor_id))
    .where(PatientDoctor.patient_id == Patient.id)
    .scalar_subquery()
)


def to_resource(row: Any) -> Json:
    """The Patient of a `(patient, doctor ids)` row."""
    patient: Patient = row[0]
    resource: Json = {
        "resourceType": "Patient",
        "id": str(patient.id),
        "extension": [extension(systems.TZ_CODE, "valueCode", patient.timezone)],
        "active": True,
        "name": [{"text": patient.full_name}],
    }
    if patient.date_of_birth is not None:
        resource["birthDate"] = day(patient.date_of_birth)
    doctors = sorted(str(doctor) for doctor in row[1] or [])
    if doctors:
        resource["generalPractitioner"] = [ref("Practitioner", doctor) for doctor in doctors]
    return resource


SOURCE = TableSource(
    statement=select(Patient, _DOCTORS),
    id_column=Patient.id,
    order=(Patient.full_name, Patient.id),
    to_resource=to_resource,
    patient=Patient.id,
)
