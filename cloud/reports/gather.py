"""Gather a report's content for one patient and local date range from the database."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from cloud.alerts.models import AlertLog
from cloud.analytics.stock import stock_levels
from cloud.doses.adherence import dose_counts_sql
from cloud.fhir.links import everything_path
from cloud.insights.models import HealthInsight
from cloud.medications.models import Medication
from cloud.patients.models import Patient
from cloud.reports.content import (
    AlertLine,
    DayFigures,
    InsightLine,
    MedicationLine,
    ReportContent,
    SlotCell,
    SymptomLine,
    worst_status,
)
from cloud.symptoms.models import SymptomLog
from shared.schedule import local_day_bounds

_SLOTS = text(
    """
SELECT local_date, slot,
    array_agg(CASE WHEN status = 'pending' AND missed_after <= :now THEN 'missed'
                   ELSE status END) AS statuses
FROM dose_occurrences
WHERE patient_id = :patient_id AND NOT as_needed AND local_date BETWEEN :date_from AND :date_to
GROUP BY local_date, slot
ORDER BY local_date, slot
"""
)

_DAYS = text(
    f"""
SELECT o.local_date, {dose_counts_sql("o", "CAST(:now AS timestamptz)")}
FROM dose_occurrences o
WHERE o.patient_id = :patient_id AND o.local_date BETWEEN :date_from AND :date_to
GROUP BY o.local_date
"""
)


def _days(
    db: Session, patient: Patient, date_from: date, date_to: date, now: datetime
) -> tuple[list[DayFigures], list[SlotCell]]:
    params = {"patient_id": patient.id, "date_from": date_from, "date_to": date_to, "now": now}
    cells = [
        SlotCell(row.local_date, row.slot, worst_status(list(row.statuses)))
        for row in db.execute(_SLOTS, params)
    ]
    counted = {
        row.local_date: DayFigures(
            row.scheduled,
            row.on_time,
            row.late,
            row.missed,
            row.skipped,
            row.pending,
            day=row.local_date,
        )
        for row in db.execute(_DAYS, params)
    }
    days = [
        counted.get(day, DayFigures(day=day))
        for day in (date_from + timedelta(days=n) for n in range((date_to - date_from).days + 1))
    ]
    return days, cells


def gather(
    db: Session,
    patient: Patient,
    date_from: date,
    date_to: date,
    *,
    now: datetime,
    default_low_stock_days: int,
) -> ReportContent:
    """Everything the report shows for `patient` on local dates `date_from`..`date_to`."""
    zone = ZoneInfo(patient.timezone)
    start, _ = local_day_bounds(date_from, zone)
    _, end = local_day_bounds(date_to, zone)
    days, cells = _days(db, patient, date_from, date_to, now)
    symptoms = db.scalars(
        select(SymptomLog)
        .where(
            SymptomLog.patient_id == patient.id,
            SymptomLog.reported_at >= start,
            SymptomLog.reported_at < end,
        )
        .order_by(SymptomLog.reported_at)
    )
    alerts = db.scalars(
        select(AlertLog)
        .where(
            AlertLog.patient_id == patient.id,
            AlertLog.raised_at >= start,
            AlertLog.raised_at < end,
        )
        .order_by(AlertLog.raised_at)
    )
    insights = db.scalars(
        select(HealthInsight)
        .where(
            HealthInsight.patient_id == patient.id,
            HealthInsight.period_end >= date_from,
            HealthInsight.period_end <= date_to,
        )
        .order_by(HealthInsight.period_end.desc(), HealthInsight.kind)
    )
    stock = {
        level.medication_id: level
        for level in stock_levels(
            db, now.date(), default_low_stock_days=default_low_stock_days, patient_id=patient.id
        )
    }
    medications = db.scalars(
        select(Medication)
        .where(Medication.patient_id == patient.id, Medication.active)
        .order_by(Medication.name)
    )
    return ReportContent(
        patient_name=patient.full_name,
        timezone=patient.timezone,
        date_from=date_from,
        date_to=date_to,
        generated_at=now,
        fhir_export=everything_path(patient.id, date_from, date_to),
        days=days,
        slots=cells,
        symptoms=[
            SymptomLine(
                s.reported_at.astimezone(zone),
                s.symptom,
                s.severity.value if s.severity else None,
            )
            for s in symptoms
        ],
        alerts=[
            AlertLine(
                a.raised_at.astimezone(zone),
                a.alert_type.value,
                a.level.value,
                a.status.value,
                a.message,
            )
            for a in alerts
        ],
        insights=[InsightLine(i.kind, i.severity.value, i.title, i.detail) for i in insights],
        medications=[
            MedicationLine(
                name=m.name,
                dose=m.strength or "",
                stock_left=stock[m.id].stock_left if m.id in stock else None,
                days_of_supply=stock[m.id].days_of_supply if m.id in stock else None,
            )
            for m in medications
        ],
    )
