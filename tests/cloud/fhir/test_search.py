"""Searches: `_count` pages with `next` links, `date` ranges, and refused parameters."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from tests.cloud.analytics.history import History
from tests.cloud.fhir.month import DAYS, FIRST_DAY, simulate_month


def _next(bundle: dict[str, Any]) -> list[tuple[str, str]] | None:
    for link in bundle["link"]:
        if link["relation"] == "next":
            url = urlsplit(link["url"])
            assert url.path == "/fhir/R4/Observation"
            return parse_qsl(url.query)
    return None


def test_next_links_page_through_every_match_once(history: History, fhir_as: Any) -> None:
    month = simulate_month(history)
    fhir = fhir_as(month.caregiver)
    # Observation pages over two sources: symptoms, then daily adherence.
    query: list[tuple[str, str]] | None = [("patient", month.id), ("_count", "7")]
    seen: list[str] = []
    pages = 0
    while query is not None:
        bundle = fhir.get("Observation", query=query)
        seen += [entry["resource"]["id"] for entry in bundle.get("entry", [])]
        query = _next(bundle)
        pages += 1
    symptoms = len(range(0, DAYS, 4))
    assert len(seen) == len(set(seen)) == bundle["total"] == symptoms + DAYS
    assert pages == -(-(symptoms + DAYS) // 7)


def test_date_ranges_bound_local_days(history: History, fhir_as: Any) -> None:
    month = simulate_month(history)
    fhir = fhir_as(month.doctor)
    week = [("date", f"ge{FIRST_DAY}"), ("date", f"le{FIRST_DAY + timedelta(days=6)}")]
    flags = fhir.get("Flag", query=week, patient=month.id)
    assert flags["total"] == 2  # raised every sixth day: on days 0 and 6
    adherence = fhir.get("Observation", query=[*week, ("date", "gt2026-10-12")], patient=month.id)
    starts = sorted(
        entry["resource"]["effectivePeriod"]["start"]
        for entry in adherence["entry"]
        if "effectivePeriod" in entry["resource"]
    )
    assert starts[0].startswith("2026-10-13T00:00:00+02:00")
    assert starts[-1].startswith("2026-10-16T00:00:00+02:00")


def test_unsupported_parameters_are_refused_not_ignored(history: History, fhir_as: Any) -> None:
    month = simulate_month(history)
    fhir = fhir_as(month.doctor)
    outcome = fhir.get("Patient", status=400, name="Ada")
    assert outcome["issue"][0]["expression"] == ["name"]
    fhir.get("Device", status=400, date="2026-10-10")
    fhir.get("Flag", status=400, date="next tuesday")
    fhir.get("Encounter", status=404)


def test_the_capability_statement_lists_what_answers(history: History, fhir_as: Any) -> None:
    month = simulate_month(history)
    fhir = fhir_as(month.doctor)
    rest = fhir.get("metadata")["rest"][0]
    values = {
        "_id": month.id,
        "patient": month.id,
        "date": "ge2026-10-01",
        "_count": "5",
        "_offset": "1",
    }
    for resource in rest["resource"]:
        for parameter in resource["searchParam"]:
            fhir.get(resource["type"], **{parameter["name"]: values[parameter["name"]]})
        creates = {"code": "create"} in resource["interaction"]
        assert creates == (resource["type"] == "MedicationRequest")
    everything = rest["resource"][0]["operation"][0]
    assert rest["resource"][0]["type"] == "Patient" and everything["name"] == "everything"
