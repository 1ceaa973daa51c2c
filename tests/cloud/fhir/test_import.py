"""Prescriptions in: MedicationRequests become a plan version, or are refused, changing nothing."""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cloud.config import CloudSettings
from cloud.medications.models import Medication
from cloud.plans.models import MedicationPlan
from cloud.plans.service import PlanService
from cloud.plans.wire import to_contract
from shared.schedule import expand_plan
from tests.cloud.conftest import bearer
from tests.cloud.factories import CloudFactory
from tests.cloud.fhir.month import METFORMIN_CODES

# Europe/Berlin leaves summer time on 2026-10-25 and enters it on 2027-03-28 (02:00 -> 03:00).
ACROSS_BOTH_CHANGES = (date(2026, 10, 20), date(2027, 4, 5))
PLAN: dict[str, Any] = {
    "timezone": "Europe/Berlin",
    "items": [
        {
            "medication_name": "Metformin",
            "dose": 500,
            "unit": "mg",
            "instructions": "with food",
            "times_of_day": ["08:00", "20:00"],
            "start_date": "2026-10-01",
            "end_date": "2027-04-30",
        },
        {
            "medication_name": "Ramipril",
            "dose": 5,
            "unit": "mg",
            "times_of_day": ["02:30"],
            "days_of_week": ["mon", "wed", "sun"],
            "start_date": "2026-10-01",
            "on_time_minutes": 30,
            "late_window_minutes": 180,
        },
        {
            "medication_name": "Vitamin D",
            "dose": 1,
            "unit": "capsule",
            "times_of_day": ["09:00"],
            "every_n_days": 3,
            "start_date": "2026-10-02",
        },
        {
            "medication_name": "Paracetamol",
            "dose": 500,
            "unit": "mg",
            "as_needed": True,
            "max_per_day": 4,
            "start_date": "2026-10-01",
        },
    ],
}


def _occurrences(db: Session, patient_id: Any) -> set[tuple[Any, ...]]:
    plan = PlanService(db).require_current(patient_id)
    return {
        (
            o.medication_name,
            o.dose,
            o.unit,
            o.local_date,
            o.slot,
            o.local_time,
            o.due_at,
            o.on_time_until,
            o.missed_after,
        )
        for o in expand_plan(to_contract(plan), *ACROSS_BOTH_CHANGES)
    }


def _as_transaction(requests: list[dict[str, Any]], patient_id: Any) -> dict[str, Any]:
    entries = []
    for request in requests:
        moved = copy.deepcopy(request)
        moved["subject"] = {"reference": f"Patient/{patient_id}"}
        entries.append(
            {"resource": moved, "request": {"method": "POST", "url": "MedicationRequest"}}
        )
    return {"resourceType": "Bundle", "type": "transaction", "entry": entries}


def _count(db: Session, model: Any) -> int:
    db.expire_all()
    return db.scalar(select(func.count()).select_from(model)) or 0


@pytest.fixture
def doctor_of_two(factory: CloudFactory) -> Any:
    """A doctor of Ada (Europe/Berlin) and of Bob (who lives in UTC and has no plan)."""
    ada = factory.patient(timezone="Europe/Berlin")
    bob = factory.patient(timezone="UTC")
    return factory.doctor(ada, bob), ada, bob


def test_a_plan_exported_and_imported_into_another_patient_gives_the_same_doses(
    doctor_of_two: Any,
    client: TestClient,
    cloud_settings: CloudSettings,
    db: Session,
    fhir_as: Any,
) -> None:
    doctor, ada, bob = doctor_of_two
    headers = bearer(cloud_settings, doctor)
    metformin = client.post(
        f"/api/v1/patients/{ada.id}/medications",
        json={"name": "Metformin", "codes": METFORMIN_CODES},
        headers=headers,
    ).json()
    plan = copy.deepcopy(PLAN)
    plan["items"][0]["medication_id"] = metformin["id"]
    assert (
        client.post(f"/api/v1/patients/{ada.id}/plans", json=plan, headers=headers).status_code
        == 201
    )
    fhir = fhir_as(doctor)
    exported = fhir.get("MedicationRequest", patient=ada.id)
    requests = [entry["resource"] for entry in exported["entry"]]
    assert len(requests) == 4

    answer = fhir.post("", _as_transaction(requests, bob.id), status=200)

    assert answer["type"] == "transaction-response" and len(answer["entry"]) == 4
    assert _occurrences(db, bob.id) == _occurrences(db, ada.id)
    assert PlanService(db).require_current(bob.id).timezone == "Europe/Berlin"
    reimported = fhir.get("MedicationRequest", patient=bob.id)["entry"]
    by_name = {
        e["resource"]["medicationCodeableConcept"]["text"]: e["resource"] for e in reimported
    }
    assert by_name["Metformin"]["medicationCodeableConcept"]["coding"] == METFORMIN_CODES
    for request in requests:
        again = by_name[request["medicationCodeableConcept"]["text"]]
        assert again["dosageInstruction"] == request["dosageInstruction"]


def test_one_request_adds_a_line_and_a_stopped_one_removes_it(
    doctor_of_two: Any, db: Session, fhir_as: Any
) -> None:
    doctor, ada, _ = doctor_of_two
    fhir = fhir_as(doctor)
    request = _as_transaction([_request()], ada.id)["entry"][0]["resource"]

    created = fhir.post("MedicationRequest", request)

    assert created["status"] == "active"
    assert [item.medication_name for item in PlanService(db).require_current(ada.id).items] == [
        "Amlodipine"
    ]
    stop = {**request, "status": "stopped", "identifier": created["identifier"]}
    stopped = fhir.post("MedicationRequest", stop)
    assert stopped["id"] == created["id"] and stopped["status"] == "stopped"
    db.expire_all()
    assert PlanService(db).require_current(ada.id).items == []


def test_an_on_hold_request_pauses_its_line_and_an_active_one_resumes_it(
    doctor_of_two: Any, db: Session, fhir_as: Any
) -> None:
    doctor, ada, _ = doctor_of_two
    fhir = fhir_as(doctor)
    request = _as_transaction([_request()], ada.id)["entry"][0]["resource"]
    created = fhir.post("MedicationRequest", request)
    line = {**request, "identifier": created["identifier"]}

    held = fhir.post("MedicationRequest", {**line, "status": "on-hold"})

    assert held["status"] == "on-hold"
    db.expire_all()
    assert [item.paused for item in PlanService(db).require_current(ada.id).items] == [True]
    resumed = fhir.post("MedicationRequest", {**line, "status": "active"})
    assert resumed["status"] == "active"
    db.expire_all()
    assert [item.paused for item in PlanService(db).require_current(ada.id).items] == [False]


def _request(**dosage: Any) -> dict[str, Any]:
    return {
        "resourceType": "MedicationRequest",
        "status": "active",
        "intent": "order",
        "subject": {"reference": "Patient/to-be-set"},
        "medicationCodeableConcept": {
            "coding": [
                {
                    "system": "urn:oid:1.2.276.0.76.4.6",
                    "code": "01234567",
                    "display": "Amlodipin 5 mg Tabletten",
                }
            ],
            "text": "Amlodipine",
        },
        "dosageInstruction": [
            {
                "timing": {
                    "repeat": {
                        "boundsPeriod": {"start": "2026-11-01"},
                        "frequency": 1,
                        "period": 1,
                        "periodUnit": "d",
                        "timeOfDay": ["07:30:00"],
                    }
                },
                "doseAndRate": [{"doseQuantity": {"value": 5, "unit": "mg"}}],
                **dosage,
            }
        ],
    }


def test_what_a_plan_cannot_express_is_refused_by_element_and_nothing_changes(
    doctor_of_two: Any, db: Session, fhir_as: Any
) -> None:
    doctor, ada, _ = doctor_of_two
    fhir = fhir_as(doctor)
    request = _as_transaction([_request(route={"text": "oral"})], ada.id)["entry"][0]["resource"]
    request["dosageInstruction"][0]["timing"]["repeat"]["when"] = ["ACM"]
    request["dosageInstruction"][0]["timing"]["repeat"]["timeOfDay"] = ["07:30:15"]
    plans, medications = _count(db, MedicationPlan), _count(db, Medication)

    outcome = fhir.post("MedicationRequest", request, status=422)

    named = {issue["expression"][0] for issue in outcome["issue"]}
    assert named == {
        "MedicationRequest.dosageInstruction[0].route",
        "MedicationRequest.dosageInstruction[0].timing.repeat.when",
        "MedicationRequest.dosageInstruction[0].timing.repeat.timeOfDay",
    }
    assert all(issue["diagnostics"] for issue in outcome["issue"])
    assert (_count(db, MedicationPlan), _count(db, Medication)) == (plans, medications)


def test_a_plan_rule_refusal_after_reading_changes_nothing_either(
    doctor_of_two: Any, db: Session, fhir_as: Any
) -> None:
    doctor, ada, _ = doctor_of_two
    # A coded medication is made while importing; as-needed with times breaks a plan rule later.
    request = _as_transaction([_request(asNeededBoolean=True)], ada.id)["entry"][0]["resource"]
    plans, medications = _count(db, MedicationPlan), _count(db, Medication)

    outcome = fhir_as(doctor).post("MedicationRequest", request, status=422)

    assert outcome["issue"][0]["expression"][0].startswith("MedicationRequest.dosageInstruction")
    assert "as-needed" in outcome["issue"][0]["diagnostics"]
    assert (_count(db, MedicationPlan), _count(db, Medication)) == (plans, medications)


def test_only_the_care_team_of_that_patient_imports(
    doctor_of_two: Any, factory: CloudFactory, fhir_as: Any
) -> None:
    _, ada, bob = doctor_of_two
    request = _as_transaction([_request()], ada.id)["entry"][0]["resource"]
    fhir_as(factory.caregiver(bob)).post("MedicationRequest", request, status=404)
    fhir_as(factory.doctor()).post("MedicationRequest", request, status=404)


def test_a_transaction_may_carry_the_medication_its_requests_reference(
    doctor_of_two: Any, db: Session, fhir_as: Any
) -> None:
    doctor, ada, _ = doctor_of_two
    request = _as_transaction([_request()], ada.id)["entry"][0]["resource"]
    coded = request.pop("medicationCodeableConcept")
    request["medicationReference"] = {"reference": "urn:uuid:6f1c0e54-8c43-4a43-9a55-0b5d1c8e1f00"}
    bundle = {
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [
            {
                "fullUrl": "urn:uuid:6f1c0e54-8c43-4a43-9a55-0b5d1c8e1f00",
                "resource": {"resourceType": "Medication", "code": coded},
                "request": {"method": "POST", "url": "Medication"},
            },
            {"resource": request, "request": {"method": "POST", "url": "MedicationRequest"}},
        ],
    }

    answer = fhir_as(doctor).post("", bundle, status=200)

    created = answer["entry"][0]["resource"]
    assert created["medicationCodeableConcept"] == coded
    medication = db.scalars(select(Medication).where(Medication.patient_id == ada.id)).one()
    assert (medication.name, medication.codes) == ("Amlodipine", coded["coding"])
