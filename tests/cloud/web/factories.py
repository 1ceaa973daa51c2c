"""Patients with a known history for the web tests, written as ingest and the API write it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from cloud.alerts.models import AlertLog
from cloud.users.models import User
from shared.enums import AlertLevel, AlertType, DoseStatus, Severity
from tests.cloud.analytics.history import History, PatientHistory, local
from tests.cloud.factories import CloudFactory


@dataclass
class Charted:
    """A patient with a month of doses, today's doses, an alert and a caregiver who can sign in."""

    history: PatientHistory
    caregiver: User
    today: date
    alert: AlertLog | None


def late_morning_zone(now: datetime) -> str:
    """A fixed-offset zone where it is now about 11:00, so a test's day has room on both sides
    (whatever the hour the suite runs at)."""
    offset = 11 - now.astimezone(UTC).hour  # hours east of UTC, -12..11
    # POSIX-style names: Etc/GMT-3 is three hours *east* of Greenwich.
    return "Etc/GMT" if offset == 0 else f"Etc/GMT{-offset:+d}"


def today_in(zone: str) -> date:
    return datetime.now(UTC).astimezone(ZoneInfo(zone)).date()


def charted_patient(
    db: Session,
    factory: CloudFactory,
    name: str,
    *,
    missed_every: int = 0,
    missed_today: bool = False,
    days: int = 30,
    zone: str | None = None,
) -> Charted:
    """`name` took the 08:00 and 20:00 doses of the last `days` days (missing every
    `missed_every`-th evening), and this morning's dose unless `missed_today`. By default the
    patient lives where it is late morning now, so this morning's dose is in the past and this
    evening's ahead whatever the hour the suite runs at."""
    zone = zone or late_morning_zone(datetime.now(UTC))
    history = History(db)
    today = today_in(zone)
    who = history.patient(name, zone, plan_start=today - timedelta(days=days))
    history.item(who, "Metformin", ["08:00", "20:00"], start=today - timedelta(days=days))
    for back in range(days, 0, -1):
        day = today - timedelta(days=back)
        history.dose(who, "Metformin", day, "08:00", DoseStatus.ON_TIME, minutes_late=3)
        evening_missed = missed_every and back % missed_every == 0
        status = DoseStatus.MISSED if evening_missed else DoseStatus.LATE
        history.dose(who, "Metformin", day, "20:00", status, minutes_late=40)
    morning = DoseStatus.MISSED if missed_today else DoseStatus.ON_TIME
    history.dose(who, "Metformin", today, "08:00", morning, minutes_late=5)
    history.dose(who, "Metformin", today, "20:00", DoseStatus.PENDING)
    alert = None
    if missed_today:
        alert = history.device_alert(
            who,
            local(today, "10:00", zone),
            AlertType.MISSED_DOSE,
            AlertLevel.WARNING,
            f"{name} did not take Metformin at 08:00",
        )
    history.symptom(who, local(today - timedelta(days=2), "09:00", zone), "headache", Severity.MILD)
    history.commit()
    caregiver = factory.caregiver(who.patient)
    return Charted(who, caregiver, today, alert)
