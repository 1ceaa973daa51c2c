"""Endpoints the device itself calls (HTTP Basic with its provisioned secret).

`GET /devices/{id}/schedule` is the REST way to the current plan; `POST /devices/{id}/events`
is the REST fallback of the MQTT up path: the same envelopes, the same idempotent ingest, and
an answer that says which ids the device may delete from its outbox.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Body, Response

from cloud.deps import AppClock, DbSession
from cloud.devices.auth import AuthenticatedDevice
from cloud.devices.schemas import DeadLetterOut, EventBatchOut
from cloud.errors import NotFoundError
from cloud.ingest.service import IngestService, RawMessage
from cloud.plans.service import PlanService
from cloud.plans.wire import to_contract
from shared.plan import MedicationPlan

router = APIRouter(tags=["device"])

EVENT_EXAMPLE = {
    "schema_version": 1,
    "message_id": "4b7f6b4e-8f0b-4a8e-9d59-2f0a3d1f6c11",
    "device_id": "bedside-0001",
    "seq": 42,
    "sent_at": "2026-03-10T08:03:12Z",
    "clock_synced": True,
    "kind": "heartbeat",
    "body": {"uptime_s": 3600.0, "outbox_depth": 0, "software_version": "1.0.0"},
}


@router.get("/devices/{device_id}/schedule", response_model=MedicationPlan)
def device_schedule(device: AuthenticatedDevice, db: DbSession) -> MedicationPlan:
    """The current medication plan of the device's patient (the `plan` message's plan)."""
    if device.patient_id is None:
        raise NotFoundError("this device is not assigned to a patient")
    return to_contract(PlanService(db).require_current(device.patient_id))


@router.post(
    "/devices/{device_id}/events",
    response_model=EventBatchOut,
    responses={
        422: {
            "description": "Some envelopes were dead-lettered (each with its reason) and the "
            "rest stored: `ack` still lists every id the device may drop. Or the request "
            "itself was not valid (the common error shape).",
            "content": {
                "application/json": {
                    "schema": {
                        "anyOf": [
                            {"$ref": "#/components/schemas/EventBatchOut"},
                            {"$ref": "#/components/schemas/ErrorResponse"},
                        ]
                    }
                }
            },
        }
    },
)
def upload_events(
    response: Response,
    device: AuthenticatedDevice,
    db: DbSession,
    clock: AppClock,
    envelopes: Annotated[
        list[dict[str, Any]],
        Body(
            max_length=500,
            description="Envelopes as sent over MQTT (any up kind). Invalid ones are "
            "dead-lettered, not refused, so the rest of the batch is stored.",
            examples=[[EVENT_EXAMPLE]],
        ),
    ],
) -> EventBatchOut:
    """Store a batch of envelopes idempotently; `ack` lists the ids the device may drop.

    The answer is 422 when any envelope was dead-lettered (invalid, or a fact the device's
    patient and plan refute), with the same body: the valid ones are stored all the same.
    """
    topic = f"rest:/api/v1/devices/{device.device_id}/events"
    messages = [
        RawMessage(device.device_id, json.dumps(envelope).encode(), topic) for envelope in envelopes
    ]
    result = IngestService(db, now=clock).ingest_raw(messages)
    if result.dead_lettered:
        response.status_code = 422
    return EventBatchOut(
        stored=result.stored,
        duplicates=result.duplicates,
        dead_lettered=[
            DeadLetterOut(message_id=d.message_id, reason=d.reason) for d in result.dead_lettered
        ],
        ack=result.ackable,
    )
