"""Decided `dose_occurrences` (+ deciding event) -> MedicationAdministration, one per dose.

Taken on time or late is `completed` at the time taken; skipped and missed are `not-done`
with the reason (MedMind's status, and the patient's words for a skip), dated when the dose
was due. A dose still pending has not been decided and is not exported.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, case, select

from cloud.db.base import table_of
from cloud.doses.models import DoseEventLog, DoseOccurrence
from cloud.fhir import systems
from cloud.fhir.resources.common import Json, coding, concept, instant_of, ref, text_of
from cloud.fhir.sources import TableSource
from cloud.plans.models import MedicationPlanItem
from shared.enums import DoseStatus

_REASONS = {
    DoseStatus.ON_TIME: "Taken on time",
    DoseStatus.LATE: "Taken late",
    DoseStatus.SKIPPED: "Skipped",
    DoseStatus.MISSED: "Missed: not taken within its window",
}


# Made once per status: a year of doses repeats the same four.
_REASON_CONCEPTS = {
    status: concept(text, coding(systems.DOSE_STATUS, status.value, text))
    for status, text in _REASONS.items()
}


def to_resource(row: Any) -> Json:
    """The MedicationAdministration of a row of `COLUMNS` (ids and instants as text)."""
    status: DoseStatus = row.status
    patient = ref("Patient", row.patient_id)
    resource: Json = {
        "resourceType": "MedicationAdministration",
        "id": row.id,
        "status": "completed" if status.is_taken else "not-done",
        "medicationCodeableConcept": {"text": row.medication_name},
        "subject": patient,
        "effectiveDateTime": row.effective,
    }
    reason = _REASON_CONCEPTS[status]
    if status.is_taken:
        resource["reasonCode"] = [reason]
    else:
        if row.skip_reason:
            reason = {**reason, "text": f"{_REASONS[status]}: {row.skip_reason}"}
        resource["statusReason"] = [reason]
    if row.device_pk is not None:
        resource["performer"] = [{"actor": patient}]
        resource["device"] = [ref("Device", row.device_pk)]
    if row.request_id is not None:
        resource["request"] = ref("MedicationRequest", row.request_id)
    if row.dose is not None and row.unit:
        resource["dosage"] = {"dose": {"value": row.dose, "unit": row.unit}}
    return resource


# Columns, not ORM objects, with ids and instants made text by PostgreSQL: loading an object
# per dose cost more than mapping it, and formatting in Python more than in SQL.
_occurrences = table_of(DoseOccurrence)
_events = table_of(DoseEventLog)
_items = table_of(MedicationPlanItem)
_TAKEN = (DoseStatus.ON_TIME.value, DoseStatus.LATE.value)
COLUMNS = (
    text_of(_occurrences.c.id).label("id"),
    text_of(_occurrences.c.patient_id).label("patient_id"),
    _occurrences.c.status,
    # Taken: when it was taken; not taken: when it was due.
    instant_of(
        case(
            (_occurrences.c.status.in_(_TAKEN), _occurrences.c.decided_at),
            else_=_occurrences.c.due_at,
        )
    ).label("effective"),
    _occurrences.c.medication_name,
    _occurrences.c.dose,
    _occurrences.c.unit,
    text_of(_events.c.device_pk).label("device_pk"),
    _events.c.skip_reason,
    text_of(_items.c.id).label("request_id"),
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
