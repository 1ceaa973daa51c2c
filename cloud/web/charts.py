"""Server-drawn SVG charts: the geometry of the adherence and symptom charts.

The templates draw the shapes; this module only places them. Counts and percentages are the
service's (`AdherenceOut`), never recomputed here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from cloud.doses.schemas import AdherenceOut
from cloud.symptoms.models import SymptomLog
from shared.enums import Severity

WIDTH, HEIGHT = 720, 240
LEFT, RIGHT, TOP, BOTTOM = 44, 48, 12, 34
PLOT_W, PLOT_H = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
# Drawn bottom-up in this order; each has a colour class in app.css and a legend entry.
STACK = ("on_time", "late", "skipped", "missed", "pending")
SEVERITY_LEVEL = {Severity.MILD: 1, Severity.MODERATE: 2, Severity.SEVERE: 3}
# The symptom chart is lower and leaves room on the left for the severity names.
SYMPTOM_LEFT, SYMPTOM_HEIGHT = 96, 150
SYMPTOM_PLOT_W, SYMPTOM_PLOT_H = WIDTH - SYMPTOM_LEFT - RIGHT, SYMPTOM_HEIGHT - 2 * TOP


@dataclass(frozen=True)
class Rect:
    """One coloured part of a day's bar."""

    x: float
    y: float
    width: float
    height: float
    kind: str


@dataclass(frozen=True)
class Tick:
    """An axis label at a position."""

    at: float
    label: str


@dataclass(frozen=True)
class AdherenceChart:
    """Daily stacked bars (doses by status) and the weekly adherence trend line."""

    rects: list[Rect]
    trend_points: str
    trend_dots: list[tuple[float, float, str]]
    count_ticks: list[Tick]
    pct_ticks: list[Tick]
    date_ticks: list[Tick]
    summary: str


def _day_x(first: date, day: date, slot: float) -> float:
    return LEFT + (day - first).days * slot


def adherence_chart(chart: AdherenceOut, trend: list[AdherenceOut]) -> AdherenceChart:
    """Place the bars of `chart.days` and the line through each week's `adherence_pct`."""
    days = (chart.end - chart.start).days + 1
    slot = PLOT_W / days
    bar = max(slot * 0.75, 1.0)
    tallest = max((day.scheduled for day in chart.days), default=0) or 1
    unit = PLOT_H / tallest
    rects: list[Rect] = []
    for day in chart.days:
        y = TOP + PLOT_H
        x = _day_x(chart.start, day.local_date, slot) + (slot - bar) / 2
        for kind in STACK:
            count = getattr(day, kind)
            if count:
                y -= count * unit
                rects.append(Rect(x, y, bar, count * unit, kind))
    dots = [
        (
            _day_x(chart.start, week.end, slot) + slot / 2,
            TOP + PLOT_H * (1 - week.adherence_pct / 100),
            f"{week.start:%d %b} to {week.end:%d %b}: {week.adherence_pct:g} %",
        )
        for week in trend
        if week.adherence_pct is not None
    ]
    step = max(1, tallest // 4)
    count_ticks = [Tick(TOP + PLOT_H - n * unit, str(n)) for n in range(0, tallest + 1, step)]
    pct_ticks = [Tick(TOP + PLOT_H * (1 - pct / 100), f"{pct} %") for pct in (0, 50, 100)]
    every = 7 if days <= 31 else 14
    date_ticks = [
        Tick(
            _day_x(chart.start, chart.start + timedelta(days=n), slot) + slot / 2,
            f"{chart.start + timedelta(days=n):%d %b}",
        )
        for n in range(days - 1, -1, -every)
    ]
    overall = "no decided doses" if chart.adherence_pct is None else f"{chart.adherence_pct:g} %"
    summary = (
        f"Adherence {chart.start:%d %b} to {chart.end:%d %b}: {overall}; "
        f"{chart.on_time} on time, {chart.late} late, {chart.missed} missed, "
        f"{chart.skipped} skipped of {chart.scheduled} scheduled doses."
    )
    return AdherenceChart(
        rects=rects,
        trend_points=" ".join(f"{x:.1f},{y:.1f}" for x, y, _ in dots),
        trend_dots=dots,
        count_ticks=count_ticks,
        pct_ticks=pct_ticks,
        date_ticks=date_ticks,
        summary=summary,
    )


@dataclass(frozen=True)
class SymptomDot:
    """One reported symptom, placed by date and severity."""

    x: float
    y: float
    severity: str
    label: str


def severity_y(level: int) -> float:
    """Height of a severity level (0: not said, on the baseline) in the symptom chart."""
    return TOP + SYMPTOM_PLOT_H * (1 - level / 3)


def symptom_chart(symptoms: list[SymptomLog], first: datetime, last: datetime) -> list[SymptomDot]:
    """Each symptom as a dot: left to right in time, higher when more severe."""
    span = max((last - first).total_seconds(), 1.0)
    dots = []
    for symptom in symptoms:
        level = SEVERITY_LEVEL.get(symptom.severity, 0) if symptom.severity else 0
        dots.append(
            SymptomDot(
                x=SYMPTOM_LEFT
                + SYMPTOM_PLOT_W * (symptom.reported_at - first).total_seconds() / span,
                y=severity_y(level),
                severity=symptom.severity.value if symptom.severity else "unknown",
                label=f"{symptom.reported_at:%d %b}: {symptom.symptom}",
            )
        )
    return dots
