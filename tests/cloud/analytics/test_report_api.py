"""The analytics endpoints: reports (generate, store, JSON/HTML/PDF) and stock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cloud.config import CloudSettings
from cloud.reports.models import HealthReport
from shared.enums import DoseStatus, Role
from tests.cloud.analytics.conftest import bearer
from tests.cloud.analytics.history import History, PatientHistory
from tests.cloud.analytics.test_reports import NOV_19, NOV_20


def _patient(history: History) -> PatientHistory:
    ada = history.patient("Ada")
    history.doctor(ada)
    history.item(ada, "Metformin", ["08:00"])
    history.dose(ada, "Metformin", NOV_19, "08:00", DoseStatus.ON_TIME)
    history.dose(ada, "Metformin", NOV_20, "08:00", DoseStatus.MISSED, minutes_late=120)
    history.commit()
    return ada


def test_a_linked_doctor_gets_a_stored_report_as_json_html_and_pdf(
    client: TestClient, cloud_settings: CloudSettings, db: Session, history: History
) -> None:
    ada = _patient(history)
    headers = bearer(cloud_settings, ada.doctors[0])
    url = f"/api/v1/patients/{ada.id}/reports"
    query = {"from": "2026-11-19", "to": "2026-11-20"}

    answer = client.get(url, params=query, headers=headers)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["range_start"], body["range_end"]) == ("2026-11-19", "2026-11-20")
    html = client.get(body["html_url"], headers=headers)
    assert html.status_code == 200 and "Adherence 50%" in html.text
    pdf = client.get(body["pdf_url"], headers=headers)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-1.4")

    as_pdf = client.get(url, params={**query, "format": "pdf"}, headers=headers)
    assert as_pdf.headers["content-type"] == "application/pdf"
    as_html = client.get(url, params={**query, "format": "html"}, headers=headers)
    assert as_html.headers["content-type"].startswith("text/html")
    assert db.scalar(select(func.count()).select_from(HealthReport)) == 3


def test_an_unlinked_caregiver_gets_404_and_a_reversed_range_422(
    client: TestClient, cloud_settings: CloudSettings, history: History
) -> None:
    ada = _patient(history)
    stranger = history.user(Role.CAREGIVER)
    history.commit()
    url = f"/api/v1/patients/{ada.id}/reports"
    hidden = client.get(url, headers=bearer(cloud_settings, stranger))
    assert hidden.status_code == 404
    reversed_range = client.get(
        url,
        params={"from": "2026-11-20", "to": "2026-11-19"},
        headers=bearer(cloud_settings, ada.doctors[0]),
    )
    assert reversed_range.status_code == 422
    assert "before" in reversed_range.text


def test_stock_shows_what_is_left_and_when_it_runs_out(
    client: TestClient, cloud_settings: CloudSettings, history: History
) -> None:
    ada = history.patient("Ada")
    carer = history.caregiver(ada)
    today = datetime.now(UTC).date()
    medication = history.medication(
        ada,
        "Metformin",
        dispensed=10,
        dispensed_at=datetime.now(UTC) - timedelta(days=3),
        low_stock_days=5,
    )
    history.item(ada, "Metformin", ["08:00", "20:00"], medication=medication)
    history.medication(ada, "Aspirin")  # nothing dispensed: not tracked
    # Three doses taken since the 10 tablets were dispensed, 3 days ago.
    for days_ago in (3, 2, 1):
        dose = history.dose(
            ada, "Metformin", today - timedelta(days=days_ago), "20:00", DoseStatus.PENDING
        )
        history.decide(dose, DoseStatus.ON_TIME, datetime.now(UTC) - timedelta(hours=days_ago * 20))
    history.commit()
    answer = client.get(f"/api/v1/patients/{ada.id}/stock", headers=bearer(cloud_settings, carer))
    assert answer.status_code == 200, answer.text
    (stock,) = answer.json()
    assert (stock["name"], stock["stock_left"], stock["units_per_day"]) == ("Metformin", 7.0, 2.0)
    assert (stock["days_of_supply"], stock["low"]) == (3.5, True)
    assert stock["runs_out_on"] == (today + timedelta(days=3)).isoformat()
