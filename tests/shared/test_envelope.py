"""The envelope contract: every kind round-trips; anything else is refused with a reason."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

import pytest

from shared.enums import AlertLevel, AlertType, CommandName, Intent, Severity
from shared.envelope import (
    MAX_PAYLOAD_BYTES,
    ContractError,
    Envelope,
    make_envelope,
    parse_envelope,
)
from shared.kinds import Kind
from shared.messages import (
    BODY_MODELS,
    AckBody,
    AlertBody,
    CommandBody,
    HeartbeatBody,
    InteractionBody,
    LlmCall,
    MedQuestionBody,
    MessageBody,
    PlanAppliedBody,
    PlanBody,
    SymptomBody,
)
from tests.factories import make_dose_event, make_plan

NOW = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)


def one_body_of_each_kind() -> list[MessageBody]:
    return [
        make_dose_event(),
        HeartbeatBody(uptime_s=12.5, outbox_depth=3, plan_version=2, software_version="0.1.0"),
        InteractionBody(
            conversation_id=uuid.uuid4(),
            started_at=NOW,
            transcript="I have a headache",
            intent=Intent.LOG_SYMPTOM,
            understanding={"symptom": "headache"},
            reply="How bad is it?",
            llm=LlmCall(
                model_name="gemma3-270m",
                model_version="q4_k_m",
                prompt="p",
                output="{}",
                latency_ms=80.0,
            ),
        ),
        SymptomBody(
            symptom_id=uuid.uuid4(), reported_at=NOW, symptom="headache", severity=Severity.MILD
        ),
        MedQuestionBody(
            question_id=uuid.uuid4(), asked_at=NOW, question="what tonight?", answer="Metformin"
        ),
        AlertBody(
            alert_id=uuid.uuid4(),
            alert_type=AlertType.EMERGENCY,
            level=AlertLevel.CRITICAL,
            raised_at=NOW,
            message="fell",
        ),
        PlanAppliedBody(plan_id=uuid.uuid4(), version=3, applied_at=NOW, future_occurrences=14),
        PlanBody(plan=make_plan()),
        AckBody(message_ids=[uuid.uuid4(), uuid.uuid4()]),
        CommandBody(command_id=uuid.uuid4(), command=CommandName.SAY, text="Hello"),
    ]


def test_there_is_one_body_per_kind() -> None:
    assert set(BODY_MODELS) == set(Kind)
    assert {type(b).KIND for b in one_body_of_each_kind()} == set(Kind)


@pytest.mark.parametrize("body", one_body_of_each_kind(), ids=lambda b: b.KIND.value)
def test_every_kind_round_trips_through_the_wire(body: MessageBody) -> None:
    envelope = make_envelope("dev-1", 7, body, sent_at=NOW)
    parsed = parse_envelope(envelope.to_json())
    assert parsed == envelope
    assert parsed.kind is body.KIND
    assert type(parsed.body) is type(body)


def _wire(**changes: object) -> bytes:
    data = json.loads(
        make_envelope("dev-1", 1, AckBody(message_ids=[uuid.uuid4()]), sent_at=NOW).to_json()
    )
    data.update(changes)
    return json.dumps(data).encode()


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"not json", "not UTF-8 JSON"),
        (b"\xff\xfe", "not UTF-8 JSON"),
        (b"[1, 2]", "must be a JSON object"),
        (_wire(kind="teleport"), "unknown kind 'teleport'"),
        (_wire(kind="heartbeat"), "invalid heartbeat message"),
        (_wire(seq="1"), "seq: Input should be a valid integer"),
        (_wire(seq=-1), "seq: Input should be greater than or equal to 0"),
        (_wire(seq=2**63), "seq: Input should be less than or equal to"),
        (_wire(message_id="not-a-uuid"), "message_id"),
        (_wire(device_id="dev/other"), "device_id"),
        (_wire(sent_at="2026-11-20T08:00:00"), "sent_at"),
        (_wire(schema_version=2), "schema_version"),
        (_wire(extra_field=1), "extra_field: Extra inputs are not permitted"),
        (_wire(body={"message_ids": []}), "body.message_ids"),
    ],
)
def test_invalid_payloads_are_refused_with_a_clear_reason(raw: bytes, reason: str) -> None:
    with pytest.raises(ContractError, match=reason):
        parse_envelope(raw)


def test_oversized_payloads_are_refused_before_parsing() -> None:
    raw = b'{"kind": "ack", "pad": "' + b"x" * MAX_PAYLOAD_BYTES + b'"}'
    with pytest.raises(ContractError, match=f"exceeds the limit of {MAX_PAYLOAD_BYTES}"):
        parse_envelope(raw)


def test_an_envelope_whose_kind_does_not_match_its_body_cannot_be_built() -> None:
    with pytest.raises(ValueError, match="does not match"):
        Envelope[AckBody](
            message_id=uuid.uuid4(),
            device_id="dev-1",
            seq=1,
            sent_at=NOW,
            kind=Kind.HEARTBEAT,
            body=AckBody(message_ids=[uuid.uuid4()]),
        )


def test_unsynced_clock_is_carried_on_the_envelope() -> None:
    envelope = make_envelope("dev-1", 1, AckBody(message_ids=[uuid.uuid4()]), clock_synced=False)
    assert parse_envelope(envelope.to_json()).clock_synced is False


def test_each_envelope_gets_a_fresh_message_id() -> None:
    body = AckBody(message_ids=[uuid.uuid4()])
    assert make_envelope("d", 1, body).message_id != make_envelope("d", 1, body).message_id
