"""Insights from known histories: each kind's severity and evidence, re-runs, late data."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cloud.analytics.service import AnalyticsService
from cloud.insights.models import HealthInsight
from shared.enums import AlertLevel, DoseStatus, Severity
from tests.cloud.analytics.history import History, PatientHistory, local

LAST = date(2026, 11, 20)
NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def _insights(db: Session, who: PatientHistory) -> dict[str, HealthInsight]:
    db.expire_all()
    rows = db.scalars(select(HealthInsight).where(HealthInsight.patient_id == who.id))
    return {row.kind: row for row in rows}


def _analyse(db: Session) -> dict[str, int]:
    service = AnalyticsService(db)
    for day in _days(LAST - timedelta(days=13), LAST):
        service.daily_summaries(day, now=NOW)
    return service.insights(LAST, now=NOW)


def _known_fortnight(history: History) -> PatientHistory:
    """Metformin 08:00 + 20:00 since Oct 1, Amlodipine started Nov 10 (evenings, no doses
    recorded). Nov 7-13 all on time. Nov 14-20: 08:00 late 14-16, missed 17-18, on time after;
    20:00 on time but missed on 19-20. Headache on Nov 15, 17, 19; dizziness twice.
    60 tablets dispensed on Nov 7."""
    ada = history.patient("Ada", "Europe/Berlin")
    metformin = history.medication(
        ada, "Metformin", dispensed=60, dispensed_at=local(date(2026, 11, 7), "00:00")
    )
    history.item(ada, "Metformin", ["08:00", "20:00"], medication=metformin)
    history.item(ada, "Amlodipine", ["21:00"], start=date(2026, 11, 10))
    for day in _days(date(2026, 11, 7), LAST):
        morning = DoseStatus.ON_TIME
        if date(2026, 11, 14) <= day <= date(2026, 11, 16):
            morning = DoseStatus.LATE
        elif day in (date(2026, 11, 17), date(2026, 11, 18)):
            morning = DoseStatus.MISSED
        history.dose(ada, "Metformin", day, "08:00", morning, minutes_late=45)
        evening = DoseStatus.MISSED if day >= date(2026, 11, 19) else DoseStatus.ON_TIME
        history.dose(ada, "Metformin", day, "20:00", evening, minutes_late=120)
    for dom in (15, 17, 19):
        history.symptom(ada, local(date(2026, 11, dom), "10:00"), "Headache ", Severity.MODERATE)
    for dom in (16, 18):
        history.symptom(ada, local(date(2026, 11, dom), "10:00"), "dizziness")
    history.commit()
    return ada


def test_a_known_fortnight_yields_each_insight_with_its_evidence(
    db: Session, history: History
) -> None:
    ada = _known_fortnight(history)
    changed = _analyse(db)
    assert changed == {
        "adherence_drop": 1,
        "slot_trouble": 1,
        "repeated_symptom": 1,
        "device_offline": 0,
        "refill_forecast": 1,
    }
    found = _insights(db, ada)

    drop = found["adherence_drop"]
    assert drop.severity is AlertLevel.WARNING
    assert (drop.period_start, drop.period_end) == (date(2026, 11, 7), LAST)
    evidence: dict[str, Any] = drop.evidence
    assert (evidence["current_pct"], evidence["previous_pct"], evidence["drop_points"]) == (
        71.4,
        100.0,
        28.6,
    )
    assert (evidence["current_taken"], evidence["current_scheduled"]) == (10, 14)
    assert drop.title == "Adherence dropped 28.6 points week over week"

    slot = found["slot_trouble"]
    assert slot.title == "The 08:00 dose was late or missed on 5 of the last 7 days"
    assert slot.severity is AlertLevel.WARNING
    assert slot.evidence["slots"] == [
        {
            "slot": "08:00",
            "bad_days": 5,
            "late_days": 3,
            "missed_days": 2,
            "dates": [f"2026-11-{d}" for d in (14, 15, 16, 17, 18)],
        }
    ]

    symptom = found["repeated_symptom"]
    assert symptom.title == "Headache reported 3 times in 7 days"
    assert symptom.detail == "headache: 3 times, after starting Amlodipine on 2026-11-10"
    (entry,) = symptom.evidence["symptoms"]
    assert (entry["count"], entry["first_day"], entry["last_day"]) == (
        3,
        "2026-11-15",
        "2026-11-19",
    )
    assert entry["medications_started_before"] == [
        {"medication": "Amlodipine", "started": "2026-11-10"}
    ]

    refill = found["refill_forecast"]
    # 28 doses since Nov 7, 4 missed: 24 tablets used, 36 left, 2 a day: 18 days.
    (medication,) = refill.evidence["medications"]
    assert (medication["stock_left"], medication["days_of_supply"]) == (36, 18.0)
    assert medication["runs_out_on"] == "2026-12-08"
    assert refill.severity is AlertLevel.INFO
    assert refill.title == "Supplies last 18 days or more"


def test_rerunning_insights_for_the_same_day_changes_nothing(db: Session, history: History) -> None:
    ada = _known_fortnight(history)
    _analyse(db)
    before = {kind: (i.id, i.updated_at, i.evidence) for kind, i in _insights(db, ada).items()}
    assert set(AnalyticsService(db).insights(LAST, now=NOW).values()) == {0}
    after = {kind: (i.id, i.updated_at, i.evidence) for kind, i in _insights(db, ada).items()}
    assert after == before


def test_an_adherence_drop_that_late_events_undo_is_withdrawn(
    db: Session, history: History
) -> None:
    ben = history.patient("Ben", "America/New_York")
    history.item(ben, "Statin", ["09:00"])
    pending = []
    for day in _days(date(2026, 11, 7), LAST):
        status = DoseStatus.PENDING if day >= date(2026, 11, 17) else DoseStatus.ON_TIME
        pending.append(history.dose(ben, "Statin", day, "09:00", status))
    history.commit()
    _analyse(db)
    drop = _insights(db, ben)["adherence_drop"]
    assert drop.severity is AlertLevel.CRITICAL, "57 points is at least twice the threshold"
    assert drop.evidence["current_pct"] == 42.9

    for occurrence in pending[-4:]:
        history.decide(occurrence, DoseStatus.ON_TIME, occurrence.due_at, received_at=NOW)
    history.commit()
    service = AnalyticsService(db)
    assert service.refresh_stale(NOW).days_recomputed == 4
    assert service.insights(LAST, now=NOW)["adherence_drop"] == 0
    assert "adherence_drop" not in _insights(db, ben)


def test_repeated_device_offline_periods_are_an_insight(db: Session, history: History) -> None:
    ada = history.patient("Ada")
    device = history.device(ada)
    gaps = [
        (datetime(2026, 11, 18, 10, 0, tzinfo=UTC), datetime(2026, 11, 18, 12, 0, tzinfo=UTC)),
        (datetime(2026, 11, 19, 15, 0, tzinfo=UTC), datetime(2026, 11, 19, 18, 0, tzinfo=UTC)),
    ]
    at = datetime(2026, 11, 18, 0, 0, tzinfo=UTC)
    while at < datetime(2026, 11, 20, 12, 0, tzinfo=UTC):
        if not any(start < at < end for start, end in gaps):
            history.heartbeat(device, at)
        at += timedelta(minutes=20)
    history.commit()
    AnalyticsService(db).insights(LAST, now=NOW)
    offline = _insights(db, ada)["device_offline"]
    assert offline.title == "Device offline 2 times in the last 7 days"
    assert offline.severity is AlertLevel.WARNING
    assert [p["minutes"] for p in offline.evidence["periods"]] == [120.0, 180.0]
    assert offline.detail == "5.0 hours offline in total; longest 180.0 minutes."
