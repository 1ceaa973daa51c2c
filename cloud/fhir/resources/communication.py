"""`interaction_logs` (+ conversation) -> Communication: what the patient said, and the reply.

One Communication per utterance; the conversation it belongs to is an identifier, so a
client can group them.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from cloud.conversations.models import Conversation, InteractionLog
from cloud.fhir import systems
from cloud.fhir.resources.common import Json, coding, concept, instant, ref
from cloud.fhir.sources import TableSource


def to_resource(row: Any) -> Json:
    """The Communication of an `(interaction, device pk)` row."""
    interaction: InteractionLog = row[0]
    payload = [{"contentString": interaction.transcript}]
    if interaction.reply:
        payload.append({"contentString": interaction.reply})
    resource: Json = {
        "resourceType": "Communication",
        "id": str(interaction.id),
        "identifier": [{"system": systems.CONVERSATION, "value": str(interaction.conversation_id)}],
        "status": "completed",
        "category": [
            concept(None, coding(systems.INTENT, interaction.intent.value)),
        ],
        "subject": ref("Patient", interaction.patient_id),
        "sent": instant(interaction.started_at),
        "sender": ref("Patient", interaction.patient_id),
        "payload": payload,
    }
    if row[1] is not None:
        resource["recipient"] = [ref("Device", row[1])]
    return resource


SOURCE = TableSource(
    statement=select(InteractionLog, Conversation.device_pk).join(
        Conversation, Conversation.id == InteractionLog.conversation_id
    ),
    id_column=InteractionLog.id,
    order=(InteractionLog.started_at, InteractionLog.id),
    to_resource=to_resource,
    patient=InteractionLog.patient_id,
    date=InteractionLog.started_at,
)
