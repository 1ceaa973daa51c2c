"""`patient_caregiver` links (+ caregiver and user) -> RelatedPerson, one per patient link."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from cloud.fhir.resources.common import Json, concept, ref
from cloud.fhir.sources import TableSource
from cloud.patients.models import Caregiver, PatientCaregiver
from cloud.users.models import User


def to_resource(row: Any) -> Json:
    """The RelatedPerson of a `(link, caregiver, user)` row."""
    link: PatientCaregiver = row[0]
    caregiver: Caregiver = row[1]
    user: User = row[2]
    telecom = [{"system": "email", "value": user.email}]
    if caregiver.phone:
        telecom.append({"system": "phone", "value": caregiver.phone})
    resource: Json = {
        "resourceType": "RelatedPerson",
        "id": str(link.id),
        "active": user.is_active,
        "patient": ref("Patient", link.patient_id),
        "name": [{"text": user.full_name}],
        "telecom": telecom,
    }
    if link.relationship:
        resource["relationship"] = [concept(link.relationship)]
    return resource


SOURCE = TableSource(
    statement=select(PatientCaregiver, Caregiver, User)
    .join(Caregiver, Caregiver.id == PatientCaregiver.caregiver_id)
    .join(User, User.id == Caregiver.user_id),
    id_column=PatientCaregiver.id,
    order=(User.full_name, PatientCaregiver.id),
    to_resource=to_resource,
    patient=PatientCaregiver.patient_id,
)
