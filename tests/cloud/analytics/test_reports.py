"""Health reports: content from a known history, rendered as HTML with charts and as PDF."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from xml.etree import ElementTree

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from cloud.errors import ValidationFailedError
from cloud.reports.gather import gather
from cloud.reports.models import HealthReport
from cloud.reports.service import ReportService
from shared.enums import AlertType, DoseStatus, Severity
from tests.cloud.analytics.history import History, PatientHistory, local

NOW = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)
NOV_19, NOV_20 = date(2026, 11, 19), date(2026, 11, 20)


def _history(history: History) -> PatientHistory:
    ada = history.patient("Ada <Lovelace>")
    metformin = history.medication(
        ada, "Metformin", dispensed=30, dispensed_at=local(NOV_19, "00:00")
    )
    history.item(ada, "Metformin", ["08:00", "20:00"], medication=metformin)
    history.dose(ada, "Metformin", NOV_19, "08:00", DoseStatus.ON_TIME)
    history.dose(ada, "Metformin", NOV_19, "20:00", DoseStatus.MISSED, minutes_late=120)
    history.dose(ada, "Metformin", NOV_20, "08:00", DoseStatus.LATE, minutes_late=30)
    history.dose(ada, "Metformin", NOV_20, "20:00", DoseStatus.ON_TIME)
    history.symptom(ada, local(NOV_20, "11:00"), "dizziness", Severity.MILD)
    history.device_alert(ada, local(NOV_19, "22:00"), AlertType.MISSED_DOSE)
    history.commit()
    return ada


def test_report_content_counts_days_and_marks_each_slot_by_its_outcome(
    db: Session, history: History
) -> None:
    ada = _history(history)
    content = gather(db, ada.patient, NOV_19, NOV_20, now=NOW, default_low_stock_days=7)
    assert [(d.day, d.scheduled, d.adherence_pct) for d in content.days] == [
        (NOV_19, 2, 50.0),
        (NOV_20, 2, 100.0),
    ]
    assert {(c.day, c.slot): c.status for c in content.slots} == {
        (NOV_19, "08:00"): "on_time",
        (NOV_19, "20:00"): "missed",
        (NOV_20, "08:00"): "late",
        (NOV_20, "20:00"): "on_time",
    }
    totals = content.totals
    assert (totals.taken, totals.scheduled, totals.adherence_pct) == (3, 4, 75.0)
    assert [s.symptom for s in content.symptoms] == ["dizziness"]
    assert [a.alert_type for a in content.alerts] == ["missed_dose"]
    (medication,) = content.medications
    assert (medication.stock_left, medication.days_of_supply) == (27.0, 13.5)


def test_a_generated_report_is_stored_as_html_with_charts_and_as_a_pdf(
    db: Session, history: History
) -> None:
    ada = _history(history)
    report = ReportService(db).generate(ada.patient, NOV_19, NOV_20, now=NOW)
    stored = db.scalars(select(HealthReport).where(HealthReport.patient_id == ada.id)).one()
    assert stored.id == report.id
    assert (stored.range_start, stored.range_end) == (NOV_19, NOV_20)

    html = stored.html
    assert "Ada &lt;Lovelace&gt;" in html, "names are escaped"
    charts = re.findall(r"<svg.*?</svg>", html, re.S)
    assert len(charts) == 2, "adherence by day and doses by slot"
    for chart in charts:
        ElementTree.fromstring(chart)  # well-formed SVG
    assert 'aria-label="Adherence by day"' in html
    assert "2026-11-19 20:00: missed" in html
    assert "Adherence 75%" in html
    assert "dizziness" in html
    fhir = f"/fhir/R4/Patient/{ada.id}/$everything?start=2026-11-19&end=2026-11-20"
    assert f'href="{fhir.replace("&", "&amp;")}"' in html, "links to the same data as FHIR"

    pdf = stored.pdf or b""
    assert pdf.startswith(b"%PDF-1.4") and pdf.rstrip().endswith(b"%%EOF")
    xref_at = int(re.findall(rb"startxref\n(\d+)", pdf)[-1])
    assert pdf[xref_at : xref_at + 4] == b"xref", "the cross-reference offset is exact"
    streams = re.findall(rb"stream\n(.*?)\nendstream", pdf, re.S)
    text = b"".join(streams)
    assert b"(Health report: Ada <Lovelace>) Tj" in text
    assert b"Adherence 75%" in text
    assert b" re f" in text, "the charts are drawn"
    assert f"FHIR R4 export of this data: {fhir}".encode() in text


def test_a_range_that_ends_before_it_starts_is_refused(db: Session, history: History) -> None:
    ada = _history(history)
    with pytest.raises(ValidationFailedError, match="before"):
        ReportService(db).generate(ada.patient, NOV_20, NOV_19, now=NOW)
