"""Every reader of the adherence figures agrees with every other over the same month of doses.

March 2026 in Berlin, across the change to summer time (Sunday 29 March, 02:00 -> 03:00):
doses on time, late, missed (decided by the device), skipped, never reported by a silent device
(their window closed), still open at the moment of reading, and as-needed doses. The live
endpoint, the daily and weekly summaries, the adherence-drop insight and the report must show
the same figures (`cloud.doses.adherence` is their one definition).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from cloud.analytics.service import AnalyticsService
from cloud.analytics.settings import AnalyticsSettings
from cloud.app import create_app
from cloud.config import CloudSettings
from cloud.doses.service import DoseService
from cloud.insights.models import HealthInsight
from cloud.reports.gather import gather
from cloud.summaries.models import DailyPatientSummary, WeeklyPatientSummary
from shared.enums import DoseStatus
from tests.cloud.analytics.conftest import Clock, bearer
from tests.cloud.analytics.history import History, PatientHistory, local

FIRST, LAST = date(2026, 3, 1), date(2026, 3, 31)
# Ten minutes into April: the 23:30 dose of 31 March is still in its window.
NOW = local(date(2026, 4, 1), "00:10")
SLOTS = {"Metformin": ["08:00", "20:00"], "Thyroid": ["02:30"], "Night": ["23:30"]}
# Cycled over the scheduled doses; the last week leans to missed and unreported doses.
EARLY = [
    DoseStatus.ON_TIME,
    DoseStatus.LATE,
    DoseStatus.ON_TIME,
    DoseStatus.SKIPPED,
    DoseStatus.PENDING,
]
LATE_MONTH = [
    DoseStatus.MISSED,
    DoseStatus.PENDING,
    DoseStatus.ON_TIME,
    DoseStatus.LATE,
    DoseStatus.MISSED,
]
FIGURES = ("scheduled", "on_time", "late", "missed", "skipped", "pending", "adherence_pct")


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def _month(history: History) -> PatientHistory:
    """The patient's month; a pending dose is one nobody reported."""
    ada = history.patient("Ada", "Europe/Berlin")
    history.caregiver(ada)
    for name, times in SLOTS.items():
        history.item(ada, name, times, start=FIRST)
    history.item(ada, "Ibuprofen", [], start=FIRST, as_needed=True)
    n = 0
    for day in _days(FIRST, LAST):
        pattern = LATE_MONTH if day >= date(2026, 3, 25) else EARLY
        for name, times in SLOTS.items():
            for slot in times:
                status = pattern[n % len(pattern)]
                n += 1
                minutes = {DoseStatus.LATE: 35 + n % 20, DoseStatus.MISSED: 120}.get(status, 3)
                history.dose(ada, name, day, slot, status, minutes_late=minutes)
        if day.day % 4 == 0:
            history.dose(ada, "Ibuprofen", day, "13:10", DoseStatus.ON_TIME)
    history.commit()
    return ada


def _live(
    client: TestClient, headers: dict[str, str], ada: PatientHistory, first: date, last: date
) -> dict[str, Any]:
    response = client.get(
        f"/api/v1/patients/{ada.id}/adherence",
        params={"from": first.isoformat(), "to": last.isoformat()},
        headers=headers,
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _pick(row: Any, names: tuple[str, ...] = FIGURES) -> dict[str, Any]:
    get = row.get if isinstance(row, dict) else lambda name: getattr(row, name)
    return {name: get(name) for name in names}


def test_live_summaries_insights_and_reports_agree_over_a_month_across_dst(
    db: Session, history: History, cloud_settings: CloudSettings
) -> None:
    ada = _month(history)
    service = AnalyticsService(db, AnalyticsSettings(adherence_drop_points=0.1))
    for day in _days(FIRST, LAST):
        service.daily_summaries(day, now=NOW)
    for monday in _days(date(2026, 3, 2), date(2026, 3, 23))[::7]:
        service.weekly_summaries(monday, now=NOW)
    service.insights(LAST, now=NOW)
    report = gather(db, ada.patient, FIRST, LAST, now=NOW, default_low_stock_days=7)
    headers = bearer(cloud_settings, ada.caregivers[0])

    with TestClient(create_app(cloud_settings, clock=Clock(NOW))) as client:
        month = _live(client, headers, ada, FIRST, LAST)
        assert month["scheduled"] == 31 * 4 and month["as_needed_doses"] == 7
        assert all(month[name] > 0 for name in ("on_time", "late", "missed", "skipped"))
        live_days = {row["local_date"]: row for row in month["days"]}

        daily = {
            row.summary_date.isoformat(): row
            for row in db.scalars(
                select(DailyPatientSummary).where(DailyPatientSummary.patient_id == ada.id)
            )
        }
        assert set(daily) == set(live_days)
        daily_names = (*FIGURES, "on_time_pct", "mean_minutes_late", "as_needed_doses")
        for iso_day, row in daily.items():
            assert _pick(row, daily_names) == _pick(live_days[iso_day], daily_names), iso_day
        dst = live_days["2026-03-29"]
        assert dst["scheduled"] == 4, "the 02:30 dose on the short night still counts"

        for week in db.scalars(
            select(WeeklyPatientSummary).where(WeeklyPatientSummary.patient_id == ada.id)
        ):
            live = _live(client, headers, ada, week.week_start, week.week_start + timedelta(6))
            weekly_names = (*FIGURES, "on_time_pct", "mean_minutes_late")
            assert _pick(week, weekly_names) == _pick(live, weekly_names), week.week_start

        drop = db.scalars(
            select(HealthInsight).where(
                HealthInsight.patient_id == ada.id, HealthInsight.kind == "adherence_drop"
            )
        ).one()
        current = _live(client, headers, ada, LAST - timedelta(6), LAST)
        previous = _live(client, headers, ada, LAST - timedelta(13), LAST - timedelta(7))
        assert float(drop.evidence["current_pct"]) == current["adherence_pct"]
        assert float(drop.evidence["previous_pct"]) == previous["adherence_pct"]

        assert [_pick(day) for day in report.days] == [
            _pick(live_days[day.day.isoformat()]) for day in report.days
        ]
        assert _pick(report.totals) == _pick(month)

        # The web app's set-wise readers: today, a week and a month at once; weekly stretches.
        doses = DoseService(db, Clock(NOW))
        totals = (*FIGURES, "on_time_pct", "mean_minutes_late", "as_needed_doses")
        windows = doses.adherence_windows([ada.id], LAST, (1, 7, 30))[ada.id]
        stretches = doses.adherence_stretches(ada.id, FIRST, LAST, 7)
        assert [(w.start, w.end) for w in stretches] == [
            (LAST - timedelta(days=27 - 7 * n), LAST - timedelta(days=21 - 7 * n)) for n in range(4)
        ]
        for figures in (*windows, *stretches):
            live = _live(client, headers, ada, figures.start, figures.end)
            assert _pick(figures, totals) == _pick(live, totals), (figures.start, figures.end)


def test_a_dose_nobody_reported_counts_missed_once_its_window_closes(
    db: Session, history: History, cloud_settings: CloudSettings
) -> None:
    ada = history.patient("Ada", "Europe/Berlin")
    history.caregiver(ada)
    history.item(ada, "Night", ["23:30"], start=LAST)
    history.dose(ada, "Night", LAST, "23:30", DoseStatus.PENDING)
    history.commit()
    headers = bearer(cloud_settings, ada.caregivers[0])

    def seen_at(now: datetime) -> dict[str, Any]:
        with TestClient(create_app(cloud_settings, clock=Clock(now))) as client:
            return _pick(_live(client, headers, ada, LAST, LAST))

    assert seen_at(NOW) == {
        **dict.fromkeys(FIGURES, 0),
        "scheduled": 1,
        "pending": 1,
        "adherence_pct": None,
    }
    assert seen_at(NOW + timedelta(hours=2)) == {
        **dict.fromkeys(FIGURES, 0),
        "scheduled": 1,
        "missed": 1,
        "adherence_pct": 0.0,
    }
