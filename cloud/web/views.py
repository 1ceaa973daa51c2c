"""What the pages show, gathered from the services the REST API calls.

Nothing here computes a figure: adherence comes from `DoseService` (`adherence` is the REST
`/adherence` answer; `adherence_windows` and `adherence_stretches` give its totals for several
ranges in one query), open alerts from `AlertService`, stock from `AnalyticsService`. This module
only picks the dates (each patient's own local today) and puts the answers side by side.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from cloud.alerts.models import AlertLog, AlertStatus
from cloud.alerts.service import AlertService
from cloud.analytics.service import AnalyticsService
from cloud.analytics.stock import StockLevel
from cloud.clock import Clock
from cloud.conversations.models import InteractionLog
from cloud.devices.models import Device
from cloud.doses.models import DoseOccurrence
from cloud.doses.schemas import AdherenceOut
from cloud.doses.service import DoseService
from cloud.escalation.policy import LADDER
from cloud.medications.models import Medication
from cloud.patients.models import Patient
from cloud.symptoms.models import SymptomLog

WEEK_DAYS, MONTH_DAYS = 7, 30
# My patients: today, the last week and the last month.
WINDOWS = (1, WEEK_DAYS, MONTH_DAYS)
CHART_RANGES = (30, 90)
PAST_ALERTS = 20
RECENT_SYMPTOM_DAYS = 90
RECENT_INTERACTIONS = 10


def local_today(patient: Patient, now: datetime) -> date:
    """The patient's own date at `now` (what the REST endpoints default to)."""
    return now.astimezone(ZoneInfo(patient.timezone)).date()


def window(end: date, days: int) -> tuple[date, date]:
    """The `days` local dates ending on `end`, as (first, last)."""
    return end - timedelta(days=days - 1), end


@dataclass(frozen=True)
class PatientRow:
    """One line of My patients."""

    patient: Patient
    today: AdherenceOut
    week: AdherenceOut
    month: AdherenceOut
    open_alerts: int
    device: Device | None

    @property
    def taken_today(self) -> int:
        return self.today.on_time + self.today.late

    @property
    def attention(self) -> tuple[int, int, float, int, str]:
        """Sort key, worst first: open alerts, missed today, weekly adherence, device offline."""
        week = self.week.adherence_pct
        offline = self.device is not None and not self.device.online
        return (
            -self.open_alerts,
            -self.today.missed,
            week if week is not None else 101.0,
            0 if offline else 1,
            self.patient.full_name,
        )


def _first_devices(db: Session, patient_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Device]:
    devices: dict[uuid.UUID, Device] = {}
    for device in db.scalars(
        select(Device)
        .where(Device.patient_id.in_(list(patient_ids)))
        .order_by(Device.created_at, Device.device_id)
    ):
        if device.patient_id is not None:
            devices.setdefault(device.patient_id, device)
    return devices


def my_patients(
    db: Session, figures: Session, patients: Sequence[Patient], clock: Clock
) -> list[PatientRow]:
    """A row per patient, worst first, as of `clock`'s now; adherence read from `figures`
    (the read replica, when there is one), alerts and devices from `db`."""
    now = clock()
    by_today: dict[date, list[Patient]] = defaultdict(list)
    for patient in patients:
        by_today[local_today(patient, now)].append(patient)
    doses = DoseService(figures, clock)
    windows: dict[uuid.UUID, list[AdherenceOut]] = {}
    for today, group in by_today.items():
        # Today, the week and the month in one query: a list shows their totals, not days.
        windows |= doses.adherence_windows([patient.id for patient in group], today, WINDOWS)
    ids = [patient.id for patient in patients]
    alerts = AlertService(db).open_counts(ids)
    devices = _first_devices(db, ids)
    rows = [
        PatientRow(
            patient=patient,
            today=windows[patient.id][0],
            week=windows[patient.id][1],
            month=windows[patient.id][2],
            open_alerts=alerts[patient.id],
            device=devices.get(patient.id),
        )
        for patient in patients
    ]
    return sorted(rows, key=lambda row: row.attention)


@dataclass(frozen=True)
class AlertView:
    """An alert and where it stands on the escalation ladder."""

    alert: AlertLog

    @property
    def told(self) -> str:
        """Who the ladder has told so far."""
        return LADDER[min(self.alert.escalation_step, len(LADDER) - 1)].value

    @property
    def next_audience(self) -> str | None:
        """Who is told next if nobody acknowledges (None: the ladder has stopped)."""
        step = self.alert.escalation_step + 1
        if self.alert.next_escalation_at is None or step >= len(LADDER):
            return None
        return LADDER[step].value


@dataclass(frozen=True)
class PatientPage:
    """Everything the patient page shows."""

    patient: Patient
    today: date
    timeline: list[DoseOccurrence]
    chart_days: int
    chart: AdherenceOut
    trend: list[AdherenceOut]
    open_alerts: list[AlertView]
    past_alerts: list[AlertView]
    symptoms: list[SymptomLog]
    interactions: list[InteractionLog]
    stock_day: date
    stock: list[StockLevel]
    medications: dict[uuid.UUID, Medication]
    devices: list[Device]


def alerts_of(db: Session, patient_id: uuid.UUID) -> tuple[list[AlertView], list[AlertView]]:
    """The patient's unresolved alerts and the latest resolved ones, newest first."""
    open_alerts = [AlertView(alert) for alert in AlertService(db).open_for_patient(patient_id)]
    past = db.scalars(
        select(AlertLog)
        .where(AlertLog.patient_id == patient_id, AlertLog.status == AlertStatus.RESOLVED)
        .order_by(AlertLog.raised_at.desc())
        .limit(PAST_ALERTS)
    )
    return open_alerts, [AlertView(alert) for alert in past]


def patient_page(
    db: Session, figures: Session, patient: Patient, clock: Clock, chart_days: int
) -> PatientPage:
    """The patient's day, adherence, alerts, symptoms, conversations, stock and devices; the
    adherence chart and trend read from `figures` (the read replica, when there is one)."""
    now = clock()
    doses = DoseService(figures, clock)
    today = local_today(patient, now)
    first, last = window(today, chart_days)
    timeline = list(
        db.scalars(
            select(DoseOccurrence)
            .where(DoseOccurrence.patient_id == patient.id, DoseOccurrence.local_date == today)
            .order_by(DoseOccurrence.due_at, DoseOccurrence.id)
        )
    )
    open_alerts, past_alerts = alerts_of(db, patient.id)
    symptoms = list(
        db.scalars(
            select(SymptomLog)
            .where(
                SymptomLog.patient_id == patient.id,
                SymptomLog.reported_at >= now - timedelta(days=RECENT_SYMPTOM_DAYS),
            )
            .order_by(SymptomLog.reported_at)
        )
    )
    interactions = list(
        db.scalars(
            select(InteractionLog)
            .where(InteractionLog.patient_id == patient.id)
            .order_by(InteractionLog.started_at.desc())
            .limit(RECENT_INTERACTIONS)
        )
    )
    # The stock forecast is made for the UTC date, as the REST `/stock` makes it.
    stock = AnalyticsService(db).stock_levels(now.date(), patient.id)
    medications = {
        medication.id: medication
        for medication in db.scalars(select(Medication).where(Medication.patient_id == patient.id))
    }
    devices = list(
        db.scalars(select(Device).where(Device.patient_id == patient.id).order_by(Device.device_id))
    )
    return PatientPage(
        patient=patient,
        today=today,
        timeline=timeline,
        chart_days=chart_days,
        chart=doses.adherence(patient.id, first, last),
        trend=doses.adherence_stretches(patient.id, first, last, WEEK_DAYS),
        open_alerts=open_alerts,
        past_alerts=past_alerts,
        symptoms=symptoms,
        interactions=interactions,
        stock_day=now.date(),
        stock=stock,
        medications=medications,
        devices=devices,
    )
