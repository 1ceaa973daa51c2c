"""Actions and local answers the voice dialog uses, on the device's own records."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest

from edge_agent.day_parts import PartOfDay, parse_part_of_day
from edge_agent.store import OccurrenceState
from shared.enums import AlertLevel, AlertType, DoseSource, Intent, Severity
from shared.messages import InteractionBody
from tests.edge_agent.factories import Device, local, make_item, make_plan

Factory = Callable[..., Device]


@pytest.fixture
def device(device_factory: Factory) -> Device:
    plan = make_plan(
        make_item("Metformin", ["08:00", "20:00"]),
        make_item("Lisinopril", ["08:00"], dose=10.0),
        make_item("Atorvastatin", ["22:00"], dose=20.0),
        make_item("Paracetamol", as_needed=True, max_per_day=1),
    )
    return device_factory(local(2026, 6, 1, 7, 0), plan=plan)


def test_take_due_by_voice_records_every_due_dose(device: Device) -> None:
    device.advance_to(local(2026, 6, 1, 8, 2))
    result = device.agent.actions.take_due()
    assert result.ok and len(result.occurrence_ids) == 2
    assert "Lisinopril" in result.text and "Metformin" in result.text
    events = device.outbox("dose_event")
    assert {e.body.source for e in events} == {DoseSource.VOICE}


def test_take_due_with_nothing_due_changes_nothing(device: Device) -> None:
    result = device.agent.actions.take_due()
    assert not result.ok and result.text == "Nothing is due right now."
    assert device.outbox("dose_event") == []


def test_skip_due_keeps_the_spoken_reason(device: Device) -> None:
    device.advance_to(local(2026, 6, 1, 20, 0))
    result = device.agent.actions.skip_due("I feel sick")
    assert result.ok
    [event] = [e for e in device.outbox("dose_event") if e.body.slot == "20:00"]
    assert event.body.status.value == "skipped"
    assert event.body.skip_reason == "I feel sick"
    assert event.body.source is DoseSource.VOICE


def test_take_as_needed_by_name_and_limit(device: Device) -> None:
    assert device.agent.actions.take_as_needed("paracetamol").ok
    refused = device.agent.actions.take_as_needed("Paracetamol")
    assert not refused.ok and "most allowed" in refused.text
    assert not device.agent.actions.take_as_needed("aspirin").ok
    assert len(device.outbox("dose_event")) == 1


def test_as_needed_limit_resets_the_next_local_day(device: Device) -> None:
    assert device.agent.actions.take_as_needed("paracetamol").ok
    device.advance_to(local(2026, 6, 2, 0, 5))
    assert device.agent.actions.take_as_needed("paracetamol").ok


def test_severe_symptom_is_logged_and_alerts(device: Device) -> None:
    conversation = uuid.uuid4()
    result = device.agent.actions.log_symptom(
        "chest pain", severity=Severity.SEVERE, conversation_id=conversation
    )
    assert result.ok
    [logged] = device.outbox("symptom")
    assert logged.body.symptom == "chest pain" and logged.body.conversation_id == conversation
    [alert] = device.outbox("alert")
    assert alert.body.alert_type is AlertType.SYMPTOM
    assert device.store.query("SELECT count(*) AS n FROM symptoms")[0]["n"] == 1


def test_emergency_is_critical(device: Device) -> None:
    device.agent.actions.emergency("Patient said: help me")
    [alert] = device.outbox("alert")
    assert (alert.body.alert_type, alert.body.level) == (AlertType.EMERGENCY, AlertLevel.CRITICAL)


def test_interaction_and_question_are_recorded(device: Device) -> None:
    conversation = uuid.uuid4()
    body = InteractionBody(
        conversation_id=conversation,
        started_at=device.clock.now(),
        transcript="what do I take tonight",
        intent=Intent.MEDICATION_QUESTION,
        reply="Tonight you take Metformin.",
    )
    device.agent.actions.record_interaction(body)
    asked = device.agent.actions.record_question(
        "what do I take tonight",
        "Metformin",
        time_reference="tonight",
        conversation_id=conversation,
    )
    assert [m.kind.value for m in device.outbox()][-2:] == ["interaction", "med_question"]
    assert device.outbox("med_question")[0].body.question_id == asked.question_id


def test_due_now_and_next_dose(device: Device) -> None:
    assert device.agent.actions.due_now().text == "Nothing is due right now."
    nxt = device.agent.actions.next_dose()
    assert nxt.text == "Next, today at 08:00: Lisinopril, 10 mg and Metformin, 500 mg."
    device.advance_to(local(2026, 6, 1, 8, 1))
    due = device.agent.actions.due_now()
    assert {d.medication_name for d in due.doses} == {"Lisinopril", "Metformin"}
    assert device.agent.actions.next_dose().text.startswith("Next, today at 20:00")


def test_what_is_taken_tonight(device: Device) -> None:
    answer = device.agent.actions.taken_at("what do I take tonight?")
    assert answer.text == (
        "Tonight you take Metformin, 500 mg at 20:00 and Atorvastatin, 20 mg at 22:00."
    )
    assert device.agent.actions.taken_at(PartOfDay.AFTERNOON).text == (
        "You have no scheduled doses in the afternoon."
    )


def test_was_a_dose_taken_today(device: Device) -> None:
    device.advance_to(local(2026, 6, 1, 8, 1))
    device.agent.actions.take_due()
    device.advance_to(local(2026, 6, 1, 12, 0))
    answer = device.agent.actions.was_taken_today("metformin")
    assert answer.text == (
        "Metformin, 500 mg at 08:00: taken and Metformin, 500 mg at 20:00: not due yet."
    )
    assert device.agent.actions.was_taken_today(part="morning").doses[0].taken
    device.advance_to(local(2026, 6, 1, 23, 0))
    evening = device.agent.actions.was_taken_today("atorvastatin")
    assert evening.text == "Atorvastatin, 20 mg at 22:00: not taken yet."
    assert device.occurrences("medication_name = 'Atorvastatin'")[0].state is OccurrenceState.DUE


@pytest.mark.parametrize(
    ("phrase", "part"),
    [
        ("tonight", PartOfDay.TONIGHT),
        ("at bedtime", PartOfDay.NIGHT),
        ("in the Morning", PartOfDay.MORNING),
        ("with lunch", PartOfDay.AFTERNOON),
        ("this evening", PartOfDay.EVENING),
        ("today", PartOfDay.TODAY),
        ("whenever", None),
    ],
)
def test_parts_of_day_are_understood(phrase: str, part: PartOfDay | None) -> None:
    assert parse_part_of_day(phrase) is part


def test_a_paused_as_needed_medication_cannot_be_taken(device: Device) -> None:
    plan = device.store.current_plan()
    items = [item.model_copy(update={"paused": item.as_needed}) for item in plan.items]
    paused = plan.model_copy(update={"version": 2, "items": items})
    assert device.store.apply_plan(paused)
    assert device.agent.actions.as_needed_items() == []
    assert not device.agent.actions.take_as_needed("paracetamol").ok
    assert device.outbox("dose_event") == []
