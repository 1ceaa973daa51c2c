"""What a health report says, independent of how it is drawn (HTML or PDF)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from cloud.doses.adherence import DoseCounts


@dataclass(frozen=True)
class DayFigures(DoseCounts):
    """Adherence of one local day (the figures as `cloud.doses.adherence` defines them)."""

    day: date = date.min


@dataclass(frozen=True)
class SlotCell:
    """The outcome of one local slot (time of day) on one day; the worst dose decides."""

    day: date
    slot: str
    status: str


@dataclass(frozen=True)
class SymptomLine:
    reported_at: datetime
    symptom: str
    severity: str | None


@dataclass(frozen=True)
class AlertLine:
    raised_at: datetime
    alert_type: str
    level: str
    status: str
    message: str


@dataclass(frozen=True)
class InsightLine:
    kind: str
    severity: str
    title: str
    detail: str


@dataclass(frozen=True)
class MedicationLine:
    name: str
    dose: str
    stock_left: float | None
    days_of_supply: float | None


@dataclass(frozen=True)
class ReportContent:
    """Everything a report shows, gathered for one patient and one local date range."""

    patient_name: str
    timezone: str
    date_from: date
    date_to: date
    generated_at: datetime
    # Path of the same data as FHIR (`$everything` over the report's dates), for a clinic's system.
    fhir_export: str
    days: list[DayFigures] = field(default_factory=list)
    slots: list[SlotCell] = field(default_factory=list)
    symptoms: list[SymptomLine] = field(default_factory=list)
    alerts: list[AlertLine] = field(default_factory=list)
    insights: list[InsightLine] = field(default_factory=list)
    medications: list[MedicationLine] = field(default_factory=list)

    @property
    def totals(self) -> DoseCounts:
        """The figures over the whole period."""
        return sum(self.days, DoseCounts())

    @property
    def slot_names(self) -> list[str]:
        return sorted({cell.slot for cell in self.slots})


# Worst first: the status a slot shows when its doses disagree.
STATUS_ORDER = ("missed", "late", "skipped", "pending", "on_time")
STATUS_COLORS = {
    "on_time": "#2e7d32",
    "late": "#f9a825",
    "skipped": "#90a4ae",
    "missed": "#c62828",
    "pending": "#e0e0e0",
}
STATUS_LABELS = {
    "on_time": "on time",
    "late": "late",
    "skipped": "skipped",
    "missed": "missed",
    "pending": "not decided",
}


def worst_status(statuses: list[str]) -> str:
    """The status a slot shows: the worst of its doses."""
    return min(statuses, key=STATUS_ORDER.index)


def fmt_pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}%"
