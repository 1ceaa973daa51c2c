"""Decided `dose_occurrences` (+ deciding event) -> MedicationAdministration, one per dose.

Taken on time or late is `completed` at the time taken; skipped and missed are `not-done`
with the reason (MedMind's status, and the patient's words for a skip), dated when the dose
was due. A dose still pending has not been decided and is not exported.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, select

from cloud.doses.models import DoseEventLog, DoseOccurrence
from cloud.fhir import systems
from cloud.fhir.resources.common import Json, coding, concept, instant, ref
from cloud.fhir.sources import TableSource
from cloud.plans.models import MedicationPlanItem
from shared.enums import DoseStatus

_REASONS = {
    DoseStatus.ON_TIME: "Taken on time",
    DoseStatus.LATE: "Taken late",
    DoseStatus.SKIPPED: "Skipped",
    DoseStatus.MISSED: "Missed: not taken within its window",
}


def to_resource(row: Any) -> Json:
    """The MedicationAdministration of an `(occurrence, event, plan item id)` row."""
    occurrence: DoseOccurrence = row[0]
    event: DoseEventLog | None = row[1]
    status = occurrence.status
    reason = concept(_REASONS[status], coding(systems.DOSE_STATUS, status.value, _REASONS[status]))
    resource: Json = {
        "resourceType": "MedicationAdministration",
        "id": str(occurrence.id),
        "status": "completed" if status.is_taken else "not-done",
        "medicationCodeableConcept": concept(occurrence.medication_name),
        "subject": ref("Patient", occurrence.patient_id),
    }
    if status.is_taken:
        assert occurrence.decided_at is not None, "a taken dose has the time it was taken"
        resource["effectiveDateTime"] = instant(occurrence.decided_at)
        resource["reasonCode"] = [reason]
    else:
        resource["effectiveDateTime"] = instant(occurrence.due_at)
        if event is not None and event.skip_reason:
            reason["text"] = f"{_REASONS[status]}: {event.skip_reason}"
        resource["statusReason"] = [reason]
    if event is not None and event.device_pk is not None:
        resource["performer"] = [{"actor": ref("Patient", occurrence.patient_id)}]
        resource["device"] = [ref("Device", event.device_pk)]
    if row[2] is not None:
        resource["request"] = ref("MedicationRequest", row[2])
    if occurrence.dose is not None and occurrence.unit:
        resource["dosage"] = {"dose": {"value": occurrence.dose, "unit": occurrence.unit}}
    return resource


SOURCE = TableSource(
    statement=select(DoseOccurrence, DoseEventLog, MedicationPlanItem.id)
    .outerjoin(DoseEventLog, DoseEventLog.id == DoseOccurrence.decided_by_event_id)
    .outerjoin(
        MedicationPlanItem,
        and_(
            MedicationPlanItem.plan_version_id == DoseOccurrence.plan_version_id,
            MedicationPlanItem.item_id == DoseOccurrence.item_id,
        ),
    )
    .where(DoseOccurrence.status != DoseStatus.PENDING),
    id_column=DoseOccurrence.id,
    order=(DoseOccurrence.due_at, DoseOccurrence.id),
    to_resource=to_resource,
    patient=DoseOccurrence.patient_id,
    date=DoseOccurrence.due_at,
)
