"""My patients and the patient page: worst first, the same figures as the REST API, actions."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from playwright.sync_api import expect
from sqlalchemy.orm import Session

from cloud.alerts.models import AlertLog, AlertStatus
from firmware_sim.stack import LocalCloud
from tests.cloud.analytics.history import History
from tests.cloud.factories import DEFAULT_PASSWORD, CloudFactory
from tests.cloud.web.browser import Browsing
from tests.cloud.web.factories import charted_patient, late_morning_zone


def _rest(cloud: LocalCloud, email: str) -> httpx.Client:
    client = httpx.Client(base_url=f"{cloud.api_url}/api/v1", timeout=30)
    token = client.post(
        "/auth/login", data={"username": email, "password": DEFAULT_PASSWORD}
    ).json()["access_token"]
    client.headers["Authorization"] = f"Bearer {token}"
    return client


def _pct(value: float | None) -> str:
    return "\u2013" if value is None else f"{value:g} %"


def test_my_patients_puts_the_missed_dose_first(
    web: Browsing, db: Session, factory: CloudFactory
) -> None:
    # Where it is late morning: the morning dose is missed, the evening one still ahead.
    zone = late_morning_zone(datetime.now(UTC))
    steady = charted_patient(db, factory, "Anna Steady", zone=zone)
    forgetful = charted_patient(
        db, factory, "Bert Forgetful", missed_every=3, missed_today=True, zone=zone
    )
    caregiver = factory.caregiver(steady.history.patient, forgetful.history.patient)

    web.sign_in(caregiver.email, DEFAULT_PASSWORD)

    rows = web.page.locator("table.patients tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0).get_by_role("rowheader")).to_have_text("Bert Forgetful")
    expect(rows.nth(0).locator(".missed")).to_have_text("1 missed")
    expect(rows.nth(0).locator(".alerts")).to_have_text("1")
    expect(rows.nth(1).get_by_role("rowheader")).to_have_text("Anna Steady")
    expect(web.page).to_have_title("(1) My patients · MedMind")
    web.check("my-patients")


def test_page_figures_are_the_rest_answers_for_the_same_patient_and_day(
    web: Browsing, db: Session, factory: CloudFactory, web_cloud: LocalCloud
) -> None:
    charted = charted_patient(db, factory, "Cora Compared", missed_every=4, missed_today=True)
    patient_id, today = charted.history.id, charted.today
    rest = _rest(web_cloud, charted.caregiver.email)

    def adherence(days: int) -> dict[str, Any]:
        first = today - timedelta(days=days - 1)
        answer: dict[str, Any] = rest.get(
            f"/patients/{patient_id}/adherence", params={"from": str(first), "to": str(today)}
        ).json()
        return answer

    week, month = adherence(7), adherence(30)
    today_counts = adherence(1)
    open_alerts = rest.get(f"/patients/{patient_id}/alerts", params={"status": "open"}).json()

    web.sign_in(charted.caregiver.email, DEFAULT_PASSWORD)
    row = web.page.locator("table.patients tbody tr").first
    expect(row.locator(".week")).to_have_text(_pct(week["adherence_pct"]))
    expect(row.locator(".month")).to_have_text(_pct(month["adherence_pct"]))
    taken = today_counts["on_time"] + today_counts["late"]
    expect(row.locator(".taken")).to_have_text(f"{taken} taken")
    expect(row.locator(".due")).to_have_text(f"{today_counts['pending']} due")
    expect(row.locator(".missed")).to_have_text(f"{today_counts['missed']} missed")
    expect(row.locator(".alerts")).to_have_text(str(open_alerts["total"]))

    web.goto(f"/app/patients/{patient_id}")
    page = web.page
    expect(page.locator("[data-figure=adherence]")).to_have_text(_pct(month["adherence_pct"]))
    expect(page.locator("[data-figure=on-time]")).to_have_text(_pct(month["on_time_pct"]))
    expect(page.locator("[data-figure=missed]")).to_have_text(str(month["missed"]))
    expect(page.locator(".open-alerts > li")).to_have_count(int(open_alerts["total"]))
    web.check("patient")

    ninety = adherence(90)
    page.get_by_role("link", name="90 days").click()
    expect(page.locator("[data-figure=adherence]")).to_have_text(_pct(ninety["adherence_pct"]))
    rest.close()


def test_the_patient_page_shows_the_day_the_chart_and_the_symptoms(
    web: Browsing, db: Session, factory: CloudFactory
) -> None:
    charted = charted_patient(db, factory, "Dora Daily", missed_every=5, missed_today=True)

    web.sign_in(charted.caregiver.email, DEFAULT_PASSWORD)
    web.goto(f"/app/patients/{charted.history.id}")

    doses = web.page.locator("#today .dose")
    expect(doses).to_have_count(2)
    expect(doses.nth(0)).to_contain_text("08:00")
    expect(doses.nth(0).locator(".status")).to_have_text("missed")
    expect(doses.nth(1).locator(".status")).to_have_text("pending")
    # The 30 days up to today hold five missed evenings (every fifth) and this morning's dose.
    expect(web.page.locator("#adherence svg rect.bar.missed")).to_have_count(6)
    expect(web.page.locator("#adherence svg polyline.trend")).to_have_count(1)
    expect(web.page.locator("#symptoms svg circle.symptom.mild")).to_have_count(1)
    expect(web.page.locator("#symptoms")).to_contain_text("headache")


def test_acknowledging_an_alert_stops_its_escalation(
    web: Browsing, db: Session, factory: CloudFactory
) -> None:
    charted = charted_patient(db, factory, "Emil Escalated", missed_today=True)
    assert charted.alert is not None
    web.sign_in(charted.caregiver.email, DEFAULT_PASSWORD)
    web.goto(f"/app/patients/{charted.history.id}")
    alert = web.page.locator(f"[data-alert='{charted.alert.id}']")
    expect(alert).to_contain_text("Told: caregivers")

    alert.get_by_role("button", name="Acknowledge").click()

    expect(alert).to_contain_text("escalation stopped")
    db.expire_all()
    stored = db.get(AlertLog, charted.alert.id)
    assert stored is not None and stored.status is AlertStatus.ACKNOWLEDGED
    assert stored.acknowledged_by == charted.caregiver.id and stored.next_escalation_at is None
    web.check("alert-acknowledged")

    alert.get_by_role("button", name="Resolve").click()
    expect(web.page.locator(".open-alerts")).to_have_count(0)
    expect(web.page.locator("#alerts details summary")).to_have_text("Past alerts (1)")


def test_a_doctor_sees_only_her_patients_and_downloads_a_report(
    web: Browsing, db: Session, factory: CloudFactory
) -> None:
    hers = charted_patient(db, factory, "Fritz Followed", missed_every=3)
    someone_elses = charted_patient(db, factory, "Gina Elsewhere")
    doctor = factory.doctor(hers.history.patient)

    web.sign_in(doctor.email, DEFAULT_PASSWORD)
    expect(web.page.get_by_role("link", name="Fritz Followed")).to_be_visible()
    expect(
        web.page.get_by_role("link", name=someone_elses.history.patient.full_name)
    ).to_have_count(0)
    web.page.get_by_role("link", name="Fritz Followed").click()
    with web.page.expect_download() as downloading:
        web.page.get_by_role("link", name="Download the report").click()

    report = downloading.value
    assert report.suggested_filename.endswith(".pdf")
    path = report.path()
    assert path is not None and path.read_bytes().startswith(b"%PDF")

    expect(web.page.locator("#reports code")).to_contain_text(
        f"/fhir/R4/Patient/{hers.history.id}/$everything?start="
    )
    web.check("doctor-reports")
    with web.page.expect_download() as downloading:
        web.page.get_by_role("link", name="Download the same 30 days as FHIR").click()
    export = downloading.value.path()
    assert export is not None
    bundle = json.loads(export.read_text())
    assert (bundle["resourceType"], bundle["type"]) == ("Bundle", "searchset")
    kinds = {entry["resource"]["resourceType"] for entry in bundle["entry"]}
    assert {"Patient", "MedicationAdministration"} <= kinds
    assert {
        entry["resource"]["id"]
        for entry in bundle["entry"]
        if entry["resource"]["resourceType"] == "Patient"
    } == {str(hers.history.id)}


def test_a_caregiver_is_not_offered_the_fhir_export(
    web: Browsing, db: Session, factory: CloudFactory
) -> None:
    charted = charted_patient(db, factory, "Ida Caredfor")
    web.sign_in(charted.caregiver.email, DEFAULT_PASSWORD)
    web.goto(f"/app/patients/{charted.history.id}")
    expect(web.page.get_by_role("link", name="Download the report")).to_be_visible()
    expect(web.page.get_by_role("link", name="Download the same 30 days as FHIR")).to_have_count(0)


def test_a_refill_restarts_the_stock(web: Browsing, db: Session, factory: CloudFactory) -> None:
    charted = charted_patient(db, factory, "Hanna Refill")
    history = History(db)
    history.medication(
        charted.history,
        "Metformin",
        dispensed=30,
        dispensed_at=datetime.now(UTC) - timedelta(days=12),
        low_stock_days=7,
    )
    history.commit()
    web.sign_in(charted.caregiver.email, DEFAULT_PASSWORD)
    web.goto(f"/app/patients/{charted.history.id}")
    row = web.page.locator("#stock tbody tr")
    expect(row.get_by_role("rowheader")).to_contain_text("low")

    row.get_by_label("New pack of").fill("60")
    row.get_by_role("button", name="Refilled").click()

    expect(row.locator("td").first).to_have_text("60")
    expect(row.get_by_role("rowheader")).not_to_contain_text("low")
    web.check("refilled")


def test_more_taken_than_dispensed_shows_none_left_and_asks_about_the_refill(
    web: Browsing, db: Session, factory: CloudFactory
) -> None:
    # Twelve days of two doses a day (and this morning's) from a pack of ten: 14 more were taken.
    charted = charted_patient(db, factory, "Jonas Overdrawn")
    history = History(db)
    history.medication(
        charted.history,
        "Metformin",
        dispensed=10,
        dispensed_at=datetime.now(UTC) - timedelta(days=12),
    )
    history.commit()
    web.sign_in(charted.caregiver.email, DEFAULT_PASSWORD)
    web.goto(f"/app/patients/{charted.history.id}")

    left = web.page.locator("#stock tbody tr td").first
    expect(left).to_have_text(
        "0 (14 more taken than the last pack held: was a refill not recorded?)"
    )
