"""Daily and weekly summaries from known histories: every figure, re-runs, late-arriving events."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cloud.analytics.service import AnalyticsService
from cloud.summaries.models import DailyPatientSummary, WeeklyPatientSummary
from shared.enums import AlertType, DoseStatus, Role, Severity
from tests.cloud.analytics.history import History, PatientHistory, local

NOV_18 = date(2026, 11, 18)
NOV_19 = date(2026, 11, 19)
AFTER = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def _figures(row: DailyPatientSummary | WeeklyPatientSummary) -> dict[str, Any]:
    return {
        "scheduled": row.scheduled,
        "on_time": row.on_time,
        "late": row.late,
        "missed": row.missed,
        "skipped": row.skipped,
        "pending": row.pending,
        "adherence_pct": row.adherence_pct,
        "on_time_pct": row.on_time_pct,
        "mean_minutes_late": row.mean_minutes_late,
        "as_needed_doses": row.as_needed_doses,
        "symptoms": row.symptoms,
        "alerts": row.alerts,
    }


def _daily(db: Session, who: PatientHistory, day: date) -> DailyPatientSummary:
    db.expire_all()
    row = db.scalars(
        select(DailyPatientSummary).where(
            DailyPatientSummary.patient_id == who.id, DailyPatientSummary.summary_date == day
        )
    ).one_or_none()
    assert row is not None, f"no daily summary for {day}"
    return row


def _two_days(history: History) -> PatientHistory:
    """Nov 18: on time, 40 min late, missed, an as-needed dose, a symptom, an alert.
    Nov 19: on time, 10 min late, skipped."""
    ada = history.patient("Ada", "Europe/Berlin")
    history.item(ada, "Metformin", ["08:00", "20:00"])
    history.item(ada, "Statin", ["21:00"])
    history.item(ada, "Ibuprofen", [], as_needed=True)
    history.dose(ada, "Metformin", NOV_18, "08:00", DoseStatus.ON_TIME, minutes_late=5)
    history.dose(ada, "Metformin", NOV_18, "20:00", DoseStatus.LATE, minutes_late=40)
    history.dose(ada, "Statin", NOV_18, "21:00", DoseStatus.MISSED, minutes_late=120)
    history.dose(ada, "Ibuprofen", NOV_18, "13:10", DoseStatus.ON_TIME)
    # 23:30 in Berlin is still Nov 18 there, although it is 22:30 UTC.
    history.symptom(ada, local(NOV_18, "23:30"), "headache", Severity.MILD)
    history.device_alert(ada, local(NOV_18, "21:30"), AlertType.MISSED_DOSE)
    history.dose(ada, "Metformin", NOV_19, "08:00", DoseStatus.ON_TIME)
    history.dose(ada, "Metformin", NOV_19, "20:00", DoseStatus.LATE, minutes_late=10)
    history.dose(ada, "Statin", NOV_19, "21:00", DoseStatus.SKIPPED, minutes_late=3)
    history.commit()
    return ada


def test_daily_summary_counts_every_figure_of_a_known_day(db: Session, history: History) -> None:
    ada = _two_days(history)
    written = AnalyticsService(db).daily_summaries(NOV_18, now=AFTER)
    assert written == 1
    assert _figures(_daily(db, ada, NOV_18)) == {
        "scheduled": 3,
        "on_time": 1,
        "late": 1,
        "missed": 1,
        "skipped": 0,
        "pending": 0,
        "adherence_pct": 66.7,
        "on_time_pct": 33.3,
        "mean_minutes_late": 40.0,
        "as_needed_doses": 1,
        "symptoms": 1,
        "alerts": 1,
    }


def test_skipped_doses_and_doses_nobody_decided_in_their_window_count_as_not_taken(
    db: Session, history: History
) -> None:
    ada = _two_days(history)
    history.item(ada, "Vitamin D", ["22:00"])
    history.dose(ada, "Vitamin D", NOV_19, "22:00", DoseStatus.PENDING)
    history.commit()
    AnalyticsService(db).daily_summaries(NOV_19, now=AFTER)
    figures = _figures(_daily(db, ada, NOV_19))
    assert figures["scheduled"] == 4
    assert (figures["on_time"], figures["late"], figures["skipped"]) == (1, 1, 1)
    assert (figures["missed"], figures["pending"]) == (1, 0), "its window closed: missed"
    assert figures["adherence_pct"] == 50.0
    assert figures["on_time_pct"] == 25.0
    assert figures["mean_minutes_late"] == 10.0
    assert figures["symptoms"] == 0


def test_rerunning_the_same_day_changes_no_row(db: Session, history: History) -> None:
    ada = _two_days(history)
    service = AnalyticsService(db)
    service.daily_summaries(NOV_18, now=AFTER)
    first = _daily(db, ada, NOV_18)
    before = (first.id, first.computed_at, _figures(first))
    assert service.daily_summaries(NOV_18, now=AFTER + timedelta(hours=1)) == 0
    again = _daily(db, ada, NOV_18)
    assert (again.id, again.computed_at, _figures(again)) == before


def test_only_days_that_ended_in_the_patients_zone_are_summarised(
    db: Session, history: History
) -> None:
    ada = _two_days(history)
    tokyo = history.patient("Kenji", "Asia/Tokyo")
    history.item(tokyo, "Metformin", ["08:00"])
    history.dose(tokyo, "Metformin", NOV_19, "08:00", DoseStatus.ON_TIME)
    history.commit()
    # 16:00 UTC on Nov 19: the day is over in Tokyo (UTC+9), not in Berlin (UTC+1).
    now = datetime(2026, 11, 19, 16, 0, tzinfo=UTC)
    assert AnalyticsService(db).daily_summaries(NOV_19, now=now, only_ended=True) == 1
    assert _daily(db, tokyo, NOV_19).scheduled == 1
    assert (
        db.scalars(
            select(DailyPatientSummary).where(DailyPatientSummary.patient_id == ada.id)
        ).first()
        is None
    )


def test_a_late_arriving_event_marks_the_day_stale_and_it_is_recomputed(
    db: Session, history: History
) -> None:
    ada = _two_days(history)
    history.item(ada, "Vitamin D", ["22:00"])
    pending = history.dose(ada, "Vitamin D", NOV_19, "22:00", DoseStatus.PENDING)
    history.commit()
    service = AnalyticsService(db)
    service.daily_summaries(NOV_19, now=AFTER)
    service.weekly_summaries(NOV_19, now=AFTER)
    assert _daily(db, ada, NOV_19).adherence_pct == 50.0

    # The device was offline for days; its event for Nov 19 arrives now.
    history.decide(pending, DoseStatus.LATE, local(NOV_19, "22:30"), received_at=AFTER)
    history.commit()
    refresh = service.refresh_stale(AFTER)
    assert (refresh.days_marked, refresh.days_recomputed) == (1, 1)
    assert (refresh.weeks_marked, refresh.weeks_recomputed) == (1, 1)
    day = _daily(db, ada, NOV_19)
    assert not day.stale
    assert (day.late, day.pending, day.adherence_pct, day.mean_minutes_late) == (2, 0, 75.0, 20.0)
    week = db.scalars(
        select(WeeklyPatientSummary).where(WeeklyPatientSummary.patient_id == ada.id)
    ).one()
    # The week counts every dose of its days (Nov 18's three as well).
    assert (week.scheduled, week.late, week.pending, week.adherence_pct) == (7, 3, 0, 71.4)

    # Nothing new arrived since: a second refresh finds nothing to do.
    again = service.refresh_stale(AFTER)
    assert again == type(again)(0, 0, 0, 0)


def test_a_late_symptom_makes_its_local_day_stale(db: Session, history: History) -> None:
    ada = _two_days(history)
    service = AnalyticsService(db)
    service.daily_summaries(NOV_19, now=AFTER)
    history.symptom(ada, local(NOV_19, "00:30"), "nausea")
    history.commit()
    assert service.refresh_stale(AFTER).days_recomputed == 1
    assert _daily(db, ada, NOV_19).symptoms == 1


def test_weekly_summary_adds_up_its_days(db: Session, history: History) -> None:
    ada = _two_days(history)
    history.user(Role.ADMIN)
    history.commit()
    service = AnalyticsService(db)
    for day in (NOV_18, NOV_19):
        service.daily_summaries(day, now=AFTER)
    assert service.weekly_summaries(NOV_18, now=AFTER) == 1
    week = db.scalars(
        select(WeeklyPatientSummary).where(WeeklyPatientSummary.patient_id == ada.id)
    ).one()
    assert week.week_start == date(2026, 11, 16)
    assert _figures(week) == {
        "scheduled": 6,
        "on_time": 2,
        "late": 2,
        "missed": 1,
        "skipped": 1,
        "pending": 0,
        "adherence_pct": 66.7,
        "on_time_pct": 33.3,
        "mean_minutes_late": 25.0,
        "as_needed_doses": 1,
        "symptoms": 1,
        "alerts": 1,
    }
    assert service.weekly_summaries(NOV_19, now=AFTER) == 0


def test_a_25_hour_local_day_counts_everything_that_happened_in_it(
    db: Session, history: History
) -> None:
    """Berlin falls back on 2026-10-25: that local day runs from 22:00 UTC on Oct 24 to
    23:00 UTC on Oct 25."""
    fall_back = date(2026, 10, 25)
    ada = history.patient("Ada", "Europe/Berlin")
    history.symptom(ada, datetime(2026, 10, 24, 22, 30, tzinfo=UTC), "first hour")
    history.symptom(ada, datetime(2026, 10, 25, 22, 30, tzinfo=UTC), "last hour")
    history.symptom(ada, datetime(2026, 10, 25, 23, 0, tzinfo=UTC), "next day")
    history.commit()
    AnalyticsService(db).daily_summaries(fall_back, now=AFTER)
    assert _daily(db, ada, fall_back).symptoms == 2
