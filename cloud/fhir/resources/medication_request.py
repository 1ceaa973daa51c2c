"""`medication_plan_items` (+ plan version) -> MedicationRequest, one per item and version.

The current version's requests are `active` (`on-hold` while paused), earlier versions'
`stopped` (replaced). An item's
lineage (`item_id`, stable across versions) is its identifier; the plan version is the group.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from cloud.fhir import systems
from cloud.fhir.resources.common import Json, concept, instant, ref
from cloud.fhir.resources.dosage import dosage
from cloud.fhir.resources.medication import codings
from cloud.fhir.sources import TableSource
from cloud.medications.models import Medication
from cloud.patients.models import Doctor
from cloud.plans.models import MedicationPlan, MedicationPlanItem


def _status(item: MedicationPlanItem, plan: MedicationPlan) -> str:
    if not plan.is_current:
        return "stopped"
    return "on-hold" if item.paused else "active"


def to_resource(row: Any) -> Json:
    """The MedicationRequest of an `(item, plan version, medication codes, doctor id)` row."""
    item: MedicationPlanItem = row[0]
    plan: MedicationPlan = row[1]
    codes: list[Any] = row[2] or []
    resource: Json = {
        "resourceType": "MedicationRequest",
        "id": str(item.id),
        "identifier": [{"system": systems.PLAN_ITEM, "value": str(item.item_id)}],
        "groupIdentifier": {
            "system": systems.PLAN_VERSION,
            "value": f"{plan.plan_id}/{plan.version}",
        },
        "status": _status(item, plan),
        "intent": "order",
        "medicationCodeableConcept": concept(item.medication_name, *codings(codes)),
        "subject": ref("Patient", plan.patient_id),
        "authoredOn": instant(plan.issued_at),
        "dosageInstruction": [dosage(item, plan.timezone)],
    }
    if row[3] is not None:
        resource["requester"] = ref("Practitioner", row[3])
    if plan.note:
        resource["note"] = [{"text": plan.note}]
    return resource


SOURCE = TableSource(
    statement=select(MedicationPlanItem, MedicationPlan, Medication.codes, Doctor.id)
    .join(MedicationPlan, MedicationPlan.id == MedicationPlanItem.plan_version_id)
    .outerjoin(Medication, Medication.id == MedicationPlanItem.medication_id)
    .outerjoin(Doctor, Doctor.user_id == MedicationPlan.created_by_user_id),
    id_column=MedicationPlanItem.id,
    order=(
        MedicationPlan.issued_at,
        MedicationPlan.version,
        MedicationPlanItem.position,
        MedicationPlanItem.id,
    ),
    to_resource=to_resource,
    patient=MedicationPlan.patient_id,
    date=MedicationPlan.issued_at,
)
