"""The report as one self-contained HTML page with inline SVG charts (no external assets)."""

from __future__ import annotations

from datetime import datetime
from html import escape

from cloud.reports.content import (
    STATUS_COLORS,
    STATUS_LABELS,
    ReportContent,
    fmt_pct,
)

CHART_HEIGHT = 160
BAR_AREA_WIDTH = 720
LEFT = 40
SLOT_ROW = 22


def _adherence_chart(content: ReportContent) -> str:
    days = content.days
    if not days:
        return "<p>No scheduled doses in this period.</p>"
    step = BAR_AREA_WIDTH / len(days)
    width = LEFT + BAR_AREA_WIDTH + 10
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{CHART_HEIGHT + 40}" '
        f'role="img" aria-label="Adherence by day">'
    ]
    for pct in (0, 50, 100):
        y = 10 + CHART_HEIGHT * (1 - pct / 100)
        parts.append(
            f'<line x1="{LEFT}" y1="{y:.1f}" x2="{width - 10}" y2="{y:.1f}" stroke="#ccc"/>'
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" font-size="10" text-anchor="end">{pct}%</text>'
        )
    for index, day in enumerate(days):
        x = LEFT + index * step + step * 0.15
        bar_width = step * 0.7
        if day.adherence_pct is not None:
            height = CHART_HEIGHT * day.adherence_pct / 100
            color = "#2e7d32" if day.adherence_pct >= 80 else "#f9a825"
            if day.adherence_pct < 50:
                color = "#c62828"
            parts.append(
                f'<rect x="{x:.1f}" y="{10 + CHART_HEIGHT - height:.1f}" width="{bar_width:.1f}" '
                f'height="{height:.1f}" fill="{color}"><title>{day.day.isoformat()}: '
                f"{fmt_pct(day.adherence_pct)}</title></rect>"
            )
        if len(days) <= 16 or index % max(1, len(days) // 10) == 0:
            parts.append(
                f'<text x="{x + bar_width / 2:.1f}" y="{CHART_HEIGHT + 28}" font-size="9" '
                f'text-anchor="middle">{day.day.strftime("%m-%d")}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)


def _slot_chart(content: ReportContent) -> str:
    slots = content.slot_names
    dates = [day.day for day in content.days]
    if not slots or not dates:
        return ""
    cells = {(cell.day, cell.slot): cell.status for cell in content.slots}
    step = BAR_AREA_WIDTH / len(dates)
    width = LEFT + BAR_AREA_WIDTH + 10
    height = SLOT_ROW * len(slots) + 10
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'role="img" aria-label="Doses by time of day">'
    ]
    for row, slot in enumerate(slots):
        y = 4 + row * SLOT_ROW
        parts.append(
            f'<text x="{LEFT - 6}" y="{y + 14}" font-size="10" text-anchor="end">'
            f"{escape(slot)}</text>"
        )
        for column, day in enumerate(dates):
            status = cells.get((day, slot))
            if status is None:
                continue
            parts.append(
                f'<rect x="{LEFT + column * step + 1:.1f}" y="{y}" width="{max(step - 2, 1):.1f}" '
                f'height="{SLOT_ROW - 4}" fill="{STATUS_COLORS[status]}"><title>'
                f"{day.isoformat()} {escape(slot)}: {STATUS_LABELS[status]}</title></rect>"
            )
    parts.append("</svg>")
    legend = " ".join(
        f'<span class="swatch" style="background:{color}"></span>{STATUS_LABELS[status]}'
        for status, color in STATUS_COLORS.items()
    )
    return "".join(parts) + f'<p class="legend">{legend}</p>'


def _table(headers: list[str], rows: list[list[str]], empty: str) -> str:
    if not rows:
        return f"<p>{escape(empty)}</p>"
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(f"<td>{escape(cell)}</td>" for cell in row) + "</tr>" for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _when(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M")


STYLE = """
body{font-family:Helvetica,Arial,sans-serif;margin:24px;color:#222}
h1{font-size:22px;margin-bottom:0}h2{font-size:16px;margin-top:28px;border-bottom:1px solid #ccc}
table{border-collapse:collapse;font-size:12px}td,th{border:1px solid #ddd;padding:3px 8px}
th{background:#f4f4f4;text-align:left}.muted{color:#666}.big{font-size:18px;font-weight:bold}
.swatch{display:inline-block;width:10px;height:10px;margin:0 4px 0 12px}.legend{font-size:11px}
"""


def render_html(content: ReportContent) -> str:
    """The full report page."""
    day_rows = [
        [
            day.day.isoformat(),
            str(day.scheduled),
            str(day.on_time),
            str(day.late),
            str(day.missed),
            str(day.skipped),
            fmt_pct(day.adherence_pct),
        ]
        for day in content.days
    ]
    medication_rows = [
        [
            med.name,
            med.dose,
            "-" if med.stock_left is None else f"{med.stock_left:g}",
            "-" if med.days_of_supply is None else f"{med.days_of_supply:.1f}",
        ]
        for med in content.medications
    ]
    symptom_rows = [[_when(s.reported_at), s.symptom, s.severity or "-"] for s in content.symptoms]
    alert_rows = [
        [_when(a.raised_at), a.alert_type, a.level, a.status, a.message] for a in content.alerts
    ]
    insight_rows = [[i.severity, i.title, i.detail] for i in content.insights]
    title = f"Health report: {content.patient_name}"
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>
<style>{STYLE}</style></head><body>
<h1>{escape(title)}</h1>
<p class="muted">{content.date_from.isoformat()} to {content.date_to.isoformat()}
({escape(content.timezone)}), generated {_when(content.generated_at)} UTC</p>
<p class="muted">The same data for a clinic's system (FHIR R4):
<a href="{escape(content.fhir_export)}">{escape(content.fhir_export)}</a></p>
<p class="big">Adherence {fmt_pct(content.totals.adherence_pct)}
<span class="muted">({content.totals.taken} of {
        content.totals.scheduled
    } scheduled doses taken)</span></p>
<h2>Adherence by day</h2>
{_adherence_chart(content)}
<h2>Doses by time of day</h2>
{_slot_chart(content)}
{
        _table(
            ["Day", "Scheduled", "On time", "Late", "Missed", "Skipped", "Adherence"],
            day_rows,
            "No scheduled doses.",
        )
    }
<h2>Medications</h2>
{_table(["Medication", "Dose", "Stock left", "Days of supply"], medication_rows, "No medications.")}
<h2>Symptoms</h2>
{_table(["Reported", "Symptom", "Severity"], symptom_rows, "No symptoms reported.")}
<h2>Alerts</h2>
{_table(["Raised", "Type", "Level", "Status", "Message"], alert_rows, "No alerts.")}
<h2>Insights</h2>
{_table(["Severity", "Insight", "Detail"], insight_rows, "No insights.")}
</body></html>
"""
