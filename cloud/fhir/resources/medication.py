"""`medications` -> Medication, with its codes exactly as entered or imported."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from cloud.fhir import systems
from cloud.fhir.resources.common import Json, concept, extension
from cloud.fhir.sources import TableSource
from cloud.medications.models import Medication


def codings(codes: list[Any]) -> list[Json]:
    """Stored codes as Codings (an absent display stays absent)."""
    return [{key: value for key, value in code.items() if value is not None} for code in codes]


def to_resource(row: Any) -> Json:
    """The Medication of a `(medication,)` row."""
    medication: Medication = row[0]
    resource: Json = {
        "resourceType": "Medication",
        "id": str(medication.id),
        "code": concept(medication.name, *codings(medication.codes)),
        "status": "active" if medication.active else "inactive",
    }
    if medication.strength:
        resource["extension"] = [extension(systems.STRENGTH, "valueString", medication.strength)]
    if medication.form:
        resource["form"] = concept(medication.form)
    return resource


SOURCE = TableSource(
    statement=select(Medication),
    id_column=Medication.id,
    order=(Medication.name, Medication.id),
    to_resource=to_resource,
    patient=Medication.patient_id,
)
