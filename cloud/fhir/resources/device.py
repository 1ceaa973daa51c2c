"""`devices` -> Device (the bedside device, known on the wire by its text id)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from cloud.devices.models import Device
from cloud.fhir import systems
from cloud.fhir.resources.common import Json, ref
from cloud.fhir.sources import TableSource


def to_resource(row: Any) -> Json:
    """The Device of a `(device,)` row."""
    device: Device = row[0]
    resource: Json = {
        "resourceType": "Device",
        "id": str(device.id),
        "identifier": [{"system": systems.DEVICE_ID, "value": device.device_id}],
        "status": "active",
        "deviceName": [{"name": device.name or device.device_id, "type": "user-friendly-name"}],
    }
    if device.software_version:
        resource["version"] = [{"value": device.software_version}]
    if device.patient_id is not None:
        resource["patient"] = ref("Patient", device.patient_id)
    return resource


SOURCE = TableSource(
    statement=select(Device),
    id_column=Device.id,
    order=(Device.device_id,),
    to_resource=to_resource,
    patient=Device.patient_id,
)
