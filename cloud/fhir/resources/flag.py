"""`alert_logs` -> Flag: `active` while open or acknowledged, `inactive` once resolved."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from cloud.alerts.models import AlertLog, AlertStatus
from cloud.fhir import systems
from cloud.fhir.resources.common import Json, coding, concept, extension, instant, ref
from cloud.fhir.sources import TableSource
from shared.enums import AlertType

_CATEGORY = {
    AlertType.MISSED_DOSE: ("drug", "Drug"),
    AlertType.OVERDUE_DOSE: ("drug", "Drug"),
    AlertType.MAX_DOSE_REACHED: ("drug", "Drug"),
    AlertType.EMERGENCY: ("clinical", "Clinical"),
    AlertType.SYMPTOM: ("clinical", "Clinical"),
    AlertType.DEVICE_OFFLINE: ("admin", "Administrative"),
    AlertType.LOW_STOCK: ("admin", "Administrative"),
}


def to_resource(row: Any) -> Json:
    """The Flag of an `(alert,)` row."""
    alert: AlertLog = row[0]
    category, category_display = _CATEGORY[alert.alert_type]
    label = alert.alert_type.value.replace("_", " ")
    period: Json = {"start": instant(alert.raised_at)}
    if alert.resolved_at is not None:
        period["end"] = instant(alert.resolved_at)
    resource: Json = {
        "resourceType": "Flag",
        "id": str(alert.id),
        "extension": [
            extension(systems.ALERT_LEVEL, "valueCode", alert.level.value),
            extension(systems.ALERT_STATUS, "valueCode", alert.status.value),
        ],
        "status": "inactive" if alert.status is AlertStatus.RESOLVED else "active",
        "category": [concept(None, coding(systems.FLAG_CATEGORY, category, category_display))],
        "code": concept(alert.message, coding(systems.ALERT_TYPE, alert.alert_type.value, label)),
        "subject": ref("Patient", alert.patient_id),
        "period": period,
    }
    if alert.device_pk is not None:
        resource["author"] = ref("Device", alert.device_pk)
    return resource


SOURCE = TableSource(
    statement=select(AlertLog),
    id_column=AlertLog.id,
    order=(AlertLog.raised_at, AlertLog.id),
    to_resource=to_resource,
    patient=AlertLog.patient_id,
    date=AlertLog.raised_at,
)
