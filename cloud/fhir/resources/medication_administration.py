"""Decided `dose_occurrences` (+ deciding event) -> MedicationAdministration, one per dose.

Taken on time or late is `completed` at the time taken; skipped and missed are `not-done`
with the reason (MedMind's status, and the patient's words for a skip), dated when the dose
was due. A dose still pending has not been decided and is not exported.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, select

from cloud.db.base import table_of
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
    """The MedicationAdministration of a row of `COLUMNS`."""
    status: DoseStatus = row.status
    reason = concept(_REASONS[status], coding(systems.DOSE_STATUS, status.value, _REASONS[status]))
    resource: Json = {
        "resourceType": "MedicationAdministration",
        "id": str(row.id),
        "status": "completed" if status.is_taken else "not-done",
        "medicationCodeableConcept": concept(row.medication_name),
        "subject": ref("Patient", row.patient_id),
    }
    if status.is_taken:
        resource["effectiveDateTime"] = instant(row.decided_at)
        resource["reasonCode"] = [reason]
    else:
        resource["effectiveDateTime"] = instant(row.due_at)
        if row.skip_reason:
            reason["text"] = f"{_REASONS[status]}: {row.skip_reason}"
        resource["statusReason"] = [reason]
    if row.device_pk is not None:
        resource["performer"] = [{"actor": ref("Patient", row.patient_id)}]
        resource["device"] = [ref("Device", row.device_pk)]
    if row.request_id is not None:
        resource["request"] = ref("MedicationRequest", row.request_id)
    if row.dose is not None and row.unit:
        resource["dosage"] = {"dose": {"value": row.dose, "unit": row.unit}}
    return resource


# Columns, not ORM objects: loading an object per dose cost more than mapping it.
_occurrences = table_of(DoseOccurrence)
_events = table_of(DoseEventLog)
_items = table_of(MedicationPlanItem)
COLUMNS = (
    _occurrences.c.id,
    _occurrences.c.patient_id,
    _occurrences.c.status,
    _occurrences.c.decided_at,
    _occurrences.c.due_at,
    _occurrences.c.medication_name,
    _occurrences.c.dose,
    _occurrences.c.unit,
    _events.c.device_pk,
    _events.c.skip_reason,
    _items.c.id.label("request_id"),
)

SOURCE = TableSource(
    statement=select(*COLUMNS)
    .select_from(_occurrences)
    .outerjoin(_events, _events.c.id == _occurrences.c.decided_by_event_id)
    .outerjoin(
        _items,
        and_(
            _items.c.plan_version_id == _occurrences.c.plan_version_id,
            _items.c.item_id == _occurrences.c.item_id,
        ),
    )
    .where(_occurrences.c.status != DoseStatus.PENDING.value),
    id_column=_occurrences.c.id,
    order=(_occurrences.c.due_at, _occurrences.c.id),
    to_resource=to_resource,
    patient=_occurrences.c.patient_id,
    date=_occurrences.c.due_at,
)
