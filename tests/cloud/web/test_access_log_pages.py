"""A patient's access log in the browser: a caregiver's reads, through the API and the web app,
seen by the patient's doctor, filtered by person, action and dates, a page at a time; refused
to caregivers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
from playwright.sync_api import Browser, expect
from sqlalchemy.orm import Session

from cloud.audit.models import AccessLogEntry
from cloud.audit.partitions import ensure_access_log_partitions
from firmware_sim.stack import LocalCloud
from shared.enums import Role
from tests.cloud.factories import DEFAULT_PASSWORD, CloudFactory
from tests.cloud.web.browser import Browsing, browsing


def test_the_doctor_sees_a_caregivers_reads_in_the_access_log(
    web: Browsing, browser: Browser, factory: CloudFactory, web_cloud: LocalCloud
) -> None:
    patient, other = factory.patient(), factory.patient()
    caregiver = factory.caregiver(patient, other)
    doctor = factory.doctor(patient)
    api = httpx.Client(base_url=f"{web_cloud.api_url}/api/v1", timeout=30)
    token = api.post(
        "/auth/login", data={"username": caregiver.email, "password": DEFAULT_PASSWORD}
    ).json()["access_token"]
    api.headers["Authorization"] = f"Bearer {token}"
    assert api.get(f"/patients/{patient.id}/medications").status_code == 200
    assert api.get("/patients").status_code == 200
    with browsing(browser, web_cloud.api_url, "caregiver-reads") as hers:
        hers.sign_in(caregiver.email, DEFAULT_PASSWORD)
        hers.goto(f"/app/patients/{patient.id}")
        expect(hers.page.get_by_role("link", name="Access log")).to_have_count(0)
        refused = hers.page.goto(f"{web_cloud.api_url}/app/patients/{patient.id}/access-log")
        assert refused is not None and refused.status == 403

    web.sign_in(doctor.email, DEFAULT_PASSWORD)
    web.goto(f"/app/patients/{patient.id}")
    web.page.get_by_role("link", name="Access log").click()
    web.page.get_by_label("Who").select_option(label=f"{caregiver.full_name} (caregiver)")
    web.page.get_by_label("Action").select_option("read")
    web.page.get_by_role("button", name="Show").click()
    web.page.wait_for_load_state("networkidle")

    rows = web.page.locator("table.access-log tbody tr")
    seen = [text.strip() for text in rows.locator("td[data-label=What]").all_inner_texts()]
    expected = [
        f"Web app: the patient's page\n/app/patients/{patient.id}",
        "Web app: My patients\n/app/",
        "API: patients\n/api/v1/patients",
        f"API: medications\n/api/v1/patients/{patient.id}/medications",
    ]
    # Newest first; the open patient page may have refreshed its alerts meanwhile.
    assert [what for what in seen if what in expected] == expected, seen
    paths = [what.splitlines()[-1] for what in seen]
    assert f"/app/patients/{patient.id}/access-log" not in paths, "a refused look was recorded"
    expect(rows.first.locator("td[data-label=Who]")).to_contain_text(caregiver.full_name)
    web.check("access-log")


def test_the_access_log_pages_through_entries_and_filters_by_date(
    web: Browsing, db: Session, factory: CloudFactory
) -> None:
    patient = factory.patient(timezone="UTC")
    doctor = factory.doctor(patient)
    reader = factory.caregiver(patient)
    now = datetime.now(UTC).replace(microsecond=0)
    earlier = now - timedelta(days=2)
    # Early in a month, two days ago is last month's partition, made before the migration ran.
    ensure_access_log_partitions(db, earlier, 0)
    db.add_all(
        AccessLogEntry(
            at=at,
            user_id=reader.id,
            role=Role.CAREGIVER,
            action="read",
            patient_id=patient.id,
            resource="/patients/{patient_id}/symptoms",
            path=f"/api/v1/patients/{patient.id}/symptoms?n={n}",
            address="10.0.0.7",
        )
        for n, at in enumerate([earlier] * 5 + [now - timedelta(minutes=n) for n in range(55)])
    )
    db.commit()
    web.sign_in(doctor.email, DEFAULT_PASSWORD)
    who = f"who={reader.id}"

    web.goto(f"/app/patients/{patient.id}/access-log?{who}")
    expect(web.page.get_by_role("heading", name="60 entries")).to_be_visible()
    expect(web.page.locator("table.access-log tbody tr")).to_have_count(50)
    web.page.get_by_role("link", name="Older →").click()
    expect(web.page.get_by_text("Page 2 of 2")).to_be_visible()
    expect(web.page.locator("table.access-log tbody tr")).to_have_count(10)

    web.goto(
        f"/app/patients/{patient.id}/access-log?{who}&from={earlier.date()}&to={earlier.date()}"
    )
    expect(web.page.get_by_role("heading", name="5 entries")).to_be_visible()
    expect(web.page.get_by_label("From")).to_have_value(earlier.date().isoformat())
