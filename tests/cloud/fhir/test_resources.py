"""Every resource the FHIR interface returns over a simulated month is valid FHIR R4."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from cloud.fhir.registry import TYPES
from tests.cloud.analytics.history import History
from tests.cloud.fhir.conftest import validated
from tests.cloud.fhir.month import DAYS, FIRST_DAY, METFORMIN_CODES, simulate_month


def _by_type(bundle: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = {}
    for entry in bundle["entry"]:
        resource = validated(entry["resource"])
        found.setdefault(resource["resourceType"], []).append(resource)
    return found


def test_everything_holds_a_valid_resource_of_every_served_type(
    history: History, fhir_as: Any
) -> None:
    month = simulate_month(history)
    bundle = fhir_as(month.doctor).get(f"Patient/{month.id}/$everything")
    found = _by_type(bundle)
    assert set(found) == set(TYPES)
    assert bundle["total"] == len(bundle["entry"])
    first = bundle["entry"][0]
    assert first["fullUrl"] == f"http://testserver/fhir/R4/Patient/{month.id}"
    scheduled_days = DAYS
    adherence = [r for r in found["Observation"] if r["id"].startswith("adherence-")]
    assert len(adherence) == scheduled_days
    # 3 scheduled doses a day, all decided, plus an as-needed dose every fifth day.
    assert len(found["MedicationAdministration"]) == 3 * DAYS + DAYS // 5


def test_every_search_and_every_read_validates(history: History, fhir_as: Any) -> None:
    month = simulate_month(history)
    fhir = fhir_as(month.doctor)
    for name in TYPES:
        bundle = fhir.get(name, _count=1000)
        assert bundle["total"] >= 1, name
        for entry in bundle["entry"]:
            resource = entry["resource"]
            assert fhir.get(f"{name}/{resource['id']}") == resource
    validated(fhir.get("metadata"))


def test_doses_map_to_administrations_with_status_time_and_reason(
    history: History, fhir_as: Any
) -> None:
    month = simulate_month(history)
    bundle = fhir_as(month.caregiver).get(
        "MedicationAdministration",
        query=[("date", f"ge{FIRST_DAY}"), ("date", f"lt{FIRST_DAY + timedelta(days=3)}")],
        patient=month.id,
    )
    assert bundle["total"] == 3 * 3 + 1
    by_reason: dict[str, dict[str, Any]] = {}  # the first of each, by due time
    for entry in bundle["entry"]:
        resource = entry["resource"]
        reason = resource.get("reasonCode") or resource["statusReason"]
        by_reason.setdefault(reason[0]["coding"][0]["code"], resource)
    assert by_reason["on_time"]["status"] == "completed"
    assert by_reason["late"]["status"] == "completed"
    assert by_reason["late"]["effectiveDateTime"] == "2026-10-10T18:50:00+00:00"
    assert by_reason["missed"]["status"] == "not-done"
    assert by_reason["missed"]["request"]["reference"].startswith("MedicationRequest/")


def test_medication_codes_are_exported_as_given(history: History, fhir_as: Any) -> None:
    month = simulate_month(history)
    fhir = fhir_as(month.doctor)
    medication = fhir.get(f"Medication/{month.metformin.id}")
    assert medication["code"]["coding"] == METFORMIN_CODES
    requests = fhir.get("MedicationRequest", patient=f"Patient/{month.id}")["entry"]
    metformin = next(
        e["resource"]
        for e in requests
        if e["resource"]["medicationCodeableConcept"]["text"] == "Metformin"
    )
    assert metformin["medicationCodeableConcept"]["coding"] == METFORMIN_CODES
