"""ReportService: make a health report (HTML and PDF) and store it in health_reports."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy.orm import Session

from cloud.analytics.settings import AnalyticsSettings
from cloud.errors import ValidationFailedError
from cloud.patients.models import Patient
from cloud.reports.gather import gather
from cloud.reports.html import render_html
from cloud.reports.models import HealthReport
from cloud.reports.pdf_report import render_pdf

MAX_REPORT_DAYS = 366


class ReportService:
    """Generates reports; each generation commits one new health_reports row."""

    def __init__(self, db: Session, settings: AnalyticsSettings | None = None) -> None:
        self.db = db
        self.settings = settings or AnalyticsSettings()

    def generate(
        self,
        patient: Patient,
        date_from: date,
        date_to: date,
        *,
        now: datetime,
        user_id: uuid.UUID | None = None,
    ) -> HealthReport:
        """Render the report for local dates `date_from`..`date_to` and store it."""
        if date_to < date_from:
            raise ValidationFailedError(f"'to' ({date_to}) is before 'from' ({date_from})")
        if (date_to - date_from).days >= MAX_REPORT_DAYS:
            raise ValidationFailedError(f"a report covers at most {MAX_REPORT_DAYS} days")
        try:
            content = gather(
                self.db,
                patient,
                date_from,
                date_to,
                now=now,
                default_low_stock_days=self.settings.default_low_stock_days,
            )
            report = HealthReport(
                patient_id=patient.id,
                range_start=date_from,
                range_end=date_to,
                title=f"Health report: {patient.full_name}, {date_from} to {date_to}",
                html=render_html(content),
                pdf=render_pdf(content),
                generated_at=now,
                generated_by_user_id=user_id,
            )
            self.db.add(report)
            self.db.commit()
        except BaseException:
            self.db.rollback()
            raise
        return report
