"""The envelope every MQTT message travels in, and strict parsing of raw payloads.

`parse_envelope` is the one way to read a payload: size check, JSON, kind lookup, then strict
validation of envelope and body. Every failure is a `ContractError` whose message says what is
wrong, which the cloud stores with the raw bytes as a dead letter.
"""

from __future__ import annotations

import json
import re
import uuid
from datetime import UTC, datetime
from typing import Annotated, Any, Final, Generic, Literal, Self, TypeVar, cast

from pydantic import AwareDatetime, Field, ValidationError, model_validator

from shared.kinds import Kind
from shared.messages import BODY_MODELS, MessageBody
from shared.plan import ContractModel
from shared.topics import DEVICE_ID_PATTERN

SCHEMA_VERSION: Final = 1
MAX_PAYLOAD_BYTES = 64 * 1024
MAX_SEQ = 2**63 - 1  # the cloud stores it as a PostgreSQL bigint

BodyT = TypeVar("BodyT", bound=MessageBody)


class ContractError(ValueError):
    """A payload that is not a valid MedMind message; the text says why."""


class Envelope(ContractModel, Generic[BodyT]):
    """Schema version, sender-made id (the idempotency key), sequence, timestamp, kind, body."""

    schema_version: Literal[1] = SCHEMA_VERSION
    message_id: uuid.UUID
    device_id: Annotated[str, Field(pattern=DEVICE_ID_PATTERN)]
    seq: Annotated[
        int, Field(ge=0, le=MAX_SEQ, description="Per-device sequence number, increasing.")
    ]
    sent_at: AwareDatetime
    clock_synced: bool = Field(
        default=True, description="False if the sender's clock was not synced when it made this."
    )
    kind: Kind
    body: BodyT

    @model_validator(mode="after")
    def _kind_matches_body(self) -> Self:
        if self.body.KIND is not self.kind:
            raise ValueError(f"kind {self.kind.value!r} does not match a {self.body.KIND} body")
        return self

    def to_json(self) -> bytes:
        """Serialise for the wire (UTF-8 JSON)."""
        return self.model_dump_json().encode()


def make_envelope(
    device_id: str,
    seq: int,
    body: BodyT,
    *,
    sent_at: datetime | None = None,
    clock_synced: bool = True,
    message_id: uuid.UUID | None = None,
) -> Envelope[BodyT]:
    """Wrap `body` in an envelope with a fresh message id and the body's own kind."""
    envelope = envelope_model(body.KIND)(
        message_id=message_id or uuid.uuid4(),
        device_id=device_id,
        seq=seq,
        sent_at=sent_at or datetime.now(UTC),
        clock_synced=clock_synced,
        kind=body.KIND,
        body=body,
    )
    return cast(Envelope[BodyT], envelope)


# Parametrised once: pydantic builds a validator per concrete envelope class.
_ENVELOPE_MODELS: dict[Kind, type[Envelope[Any]]] = {
    kind: Envelope[model]  # type: ignore[valid-type]
    for kind, model in BODY_MODELS.items()
}


# The first `"kind":"..."` in a payload, to pick the model without decoding the JSON in Python.
_KIND_FIELD = re.compile(rb'"kind"\s*:\s*"([a-z_]{1,32})"')
_MODELS_BY_KIND_BYTES = {kind.value.encode(): model for kind, model in _ENVELOPE_MODELS.items()}


def envelope_model(kind: Kind) -> type[Envelope[Any]]:
    """The concrete envelope model for one kind (used for parsing and for JSON Schema)."""
    return _ENVELOPE_MODELS[kind]


def _describe(error: ValidationError) -> str:
    parts = []
    for item in error.errors()[:5]:
        where = ".".join(str(p) for p in item["loc"]) or "message"
        parts.append(f"{where}: {item['msg']}")
    more = error.error_count() - len(parts)
    return "; ".join(parts) + (f" (and {more} more)" if more > 0 else "")


def parse_envelope(raw: bytes | str, *, max_bytes: int = MAX_PAYLOAD_BYTES) -> Envelope[Any]:
    """Validate a raw payload strictly; raise ContractError with a clear reason otherwise."""
    data = raw.encode() if isinstance(raw, str) else raw
    if len(data) > max_bytes:
        raise ContractError(f"payload of {len(data)} bytes exceeds the limit of {max_bytes}")
    # Fast path: validate straight from the bytes with the model the first "kind" names. A
    # success means the envelope's own kind is that one (its body must match it), so the result
    # is what the full path would return; any failure takes the full path, which explains it.
    found = _KIND_FIELD.search(data)
    model = _MODELS_BY_KIND_BYTES.get(found.group(1)) if found is not None else None
    if model is not None:
        try:
            return model.model_validate_json(data)
        except ValidationError:
            pass
    try:
        decoded = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ContractError(f"payload is not UTF-8 JSON: {exc}") from None
    if not isinstance(decoded, dict):
        raise ContractError("payload must be a JSON object")
    kind_text = decoded.get("kind")
    try:
        kind = Kind(str(kind_text))
    except ValueError:
        raise ContractError(f"unknown kind {kind_text!r}") from None
    try:
        return envelope_model(kind).model_validate_json(data)
    except ValidationError as exc:
        raise ContractError(f"invalid {kind.value} message: {_describe(exc)}") from None


def json_schemas() -> dict[str, dict[str, Any]]:
    """JSON Schema of the envelope of every kind, keyed by kind value."""
    return {kind.value: envelope_model(kind).model_json_schema() for kind in Kind}
