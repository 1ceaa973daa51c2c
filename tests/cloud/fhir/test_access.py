"""The FHIR interface keeps the REST API's ownership rule: out of reach is not found."""

from __future__ import annotations

from typing import Any

import pytest

from cloud.fhir.registry import TYPES
from shared.enums import Role
from tests.cloud.analytics.history import History
from tests.cloud.fhir.month import simulate_month


@pytest.fixture
def two_patients(history: History) -> Any:
    """Ada's month and Bob's month, each with their own caregiver and doctor."""
    return simulate_month(history, "Ada"), simulate_month(history, "Bob")


def _ids(bundle: dict[str, Any]) -> set[str]:
    return {entry["resource"]["id"] for entry in bundle.get("entry", [])}


def test_another_patients_resources_are_not_found_for_caregiver_and_doctor(
    two_patients: Any, fhir_as: Any
) -> None:
    ada, bob = two_patients
    bobs = fhir_as(bob.doctor).get(f"Patient/{bob.id}/$everything")
    for user in (ada.caregiver, ada.doctor):
        fhir = fhir_as(user)
        fhir.get(f"Patient/{bob.id}/$everything", status=404)
        for entry in bobs["entry"]:
            resource = entry["resource"]
            outcome = fhir.get(f"{resource['resourceType']}/{resource['id']}", status=404)
            assert outcome["issue"][0]["code"] == "not-found"


def test_a_search_for_another_patient_is_empty_and_no_search_leaks(
    two_patients: Any, fhir_as: Any
) -> None:
    ada, bob = two_patients
    bobs = _ids(fhir_as(bob.doctor).get(f"Patient/{bob.id}/$everything"))
    for user in (ada.caregiver, ada.doctor):
        fhir = fhir_as(user)
        for name in TYPES:
            parameter = "_id" if name == "Patient" else "patient"
            aimed = fhir.get(name, **{parameter: bob.id})
            assert aimed["total"] == 0 and "entry" not in aimed, name
            everything_visible = fhir.get(name, _count=1000)
            assert not _ids(everything_visible) & bobs, name


def test_an_unlinked_doctor_sees_nothing(two_patients: Any, history: History, fhir_as: Any) -> None:
    ada, _ = two_patients
    stranger = history.user(Role.DOCTOR)
    history.commit()
    fhir = fhir_as(stranger)
    fhir.get(f"Patient/{ada.id}", status=404)
    for name in TYPES:
        assert fhir.get(name)["total"] == 0, name


def test_reading_needs_a_token(client: Any) -> None:
    response = client.get("/fhir/R4/Patient")
    assert response.status_code == 401
    assert response.json()["resourceType"] == "OperationOutcome"


def test_a_patient_reads_their_own_record_and_no_one_elses(
    two_patients: Any, history: History, fhir_as: Any
) -> None:
    ada, bob = two_patients
    login = history.user(Role.PATIENT)
    ada.who.patient.user_id = login.id
    history.commit()
    fhir = fhir_as(login)
    assert fhir.get("Patient")["entry"][0]["resource"]["id"] == ada.id
    assert fhir.get(f"Patient/{ada.id}/$everything")["total"] > 0
    fhir.get(f"Patient/{bob.id}/$everything", status=404)
    assert fhir.get("MedicationAdministration", patient=bob.id)["total"] == 0


def test_a_patient_cannot_import_a_prescription(
    two_patients: Any, history: History, fhir_as: Any
) -> None:
    ada, _ = two_patients
    login = history.user(Role.PATIENT)
    ada.who.patient.user_id = login.id
    history.commit()
    request = fhir_as(ada.doctor).get("MedicationRequest", patient=ada.id)["entry"][0]["resource"]
    outcome = fhir_as(login).post("MedicationRequest", request, status=403)
    assert outcome["issue"][0]["code"] == "forbidden"
