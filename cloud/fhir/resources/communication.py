"""`interaction_logs` (+ conversation) -> Communication: what the patient said, and the reply.

One Communication per utterance; the conversation it belongs to is an identifier, so a
client can group them.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from cloud.conversations.models import Conversation, InteractionLog
from cloud.db.base import table_of
from cloud.fhir import systems
from cloud.fhir.resources.common import Json, coding, concept, instant, ref
from cloud.fhir.sources import TableSource


def to_resource(row: Any) -> Json:
    """The Communication of a row of `COLUMNS`."""
    payload = [{"contentString": row.transcript}]
    if row.reply:
        payload.append({"contentString": row.reply})
    resource: Json = {
        "resourceType": "Communication",
        "id": str(row.id),
        "identifier": [{"system": systems.CONVERSATION, "value": str(row.conversation_id)}],
        "status": "completed",
        "category": [concept(None, coding(systems.INTENT, row.intent.value))],
        "subject": ref("Patient", row.patient_id),
        "sent": instant(row.started_at),
        "sender": ref("Patient", row.patient_id),
        "payload": payload,
    }
    if row.device_pk is not None:
        resource["recipient"] = [ref("Device", row.device_pk)]
    return resource


_interactions = table_of(InteractionLog)
_conversations = table_of(Conversation)
COLUMNS = (
    _interactions.c.id,
    _interactions.c.conversation_id,
    _interactions.c.patient_id,
    _interactions.c.started_at,
    _interactions.c.transcript,
    _interactions.c.intent,
    _interactions.c.reply,
    _conversations.c.device_pk,
)

SOURCE = TableSource(
    statement=select(*COLUMNS).select_from(
        _interactions.join(_conversations, _conversations.c.id == _interactions.c.conversation_id)
    ),
    id_column=_interactions.c.id,
    order=(_interactions.c.started_at, _interactions.c.id),
    to_resource=to_resource,
    patient=_interactions.c.patient_id,
    date=_interactions.c.started_at,
)
