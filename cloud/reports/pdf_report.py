"""The report laid out on A4 pages with the small PDF writer (same content as the HTML)."""

from __future__ import annotations

import textwrap

from cloud.reports.content import STATUS_COLORS, STATUS_LABELS, ReportContent, fmt_pct
from cloud.reports.pdf import A4_HEIGHT, A4_WIDTH, Color, PdfDocument, PdfPage

MARGIN = 40.0
LINE = 13.0
# Points per character of 9 pt Helvetica, on the wide side so that text stays in its column.
CHAR_WIDTH = 4.6
GREY: Color = (0.4, 0.4, 0.4)
LIGHT: Color = (0.8, 0.8, 0.8)


def _rgb(hex_color: str) -> Color:
    value = hex_color.lstrip("#")
    return (int(value[0:2], 16) / 255, int(value[2:4], 16) / 255, int(value[4:6], 16) / 255)


class _Cursor:
    """Writes top to bottom, starting a new page when the current one is full."""

    def __init__(self, document: PdfDocument) -> None:
        self.document = document
        self.page: PdfPage = document.add_page()
        self.y = MARGIN

    def need(self, height: float) -> PdfPage:
        if self.y + height > A4_HEIGHT - MARGIN:
            self.page = self.document.add_page()
            self.y = MARGIN
        return self.page

    def heading(self, text: str) -> None:
        page = self.need(LINE * 3)
        self.y += LINE * 1.5
        page.text(MARGIN, self.y, text, size=13, bold=True)
        page.line(MARGIN, self.y + 4, A4_WIDTH - MARGIN, self.y + 4, color=LIGHT)
        self.y += LINE * 1.2

    def row(self, cells: list[str], widths: list[float], bold: bool = False) -> None:
        """One table row; a long cell wraps onto more lines."""
        wrapped = [
            textwrap.wrap(cell, max(int(width / CHAR_WIDTH), 4)) or [""]
            for cell, width in zip(cells, widths, strict=True)
        ]
        for line in range(max(len(lines) for lines in wrapped)):
            page = self.need(LINE)
            x = MARGIN
            for lines, width in zip(wrapped, widths, strict=True):
                if line < len(lines):
                    page.text(x, self.y, lines[line], size=9, bold=bold)
                x += width
            self.y += LINE

    def table(
        self, headers: list[str], rows: list[list[str]], widths: list[float], empty: str
    ) -> None:
        if not rows:
            self.row([empty], [A4_WIDTH - 2 * MARGIN])
            return
        self.row(headers, widths, bold=True)
        for row in rows:
            self.row(row, widths)


def _adherence_chart(cursor: _Cursor, content: ReportContent) -> None:
    height = 120.0
    page = cursor.need(height + 30)
    top = cursor.y
    left = MARGIN + 30
    width = A4_WIDTH - MARGIN - left
    for pct in (0, 50, 100):
        y = top + height * (1 - pct / 100)
        page.line(left, y, left + width, y, color=LIGHT)
        page.text(MARGIN, y + 3, f"{pct}%", size=8, color=GREY)
    if content.days:
        step = width / len(content.days)
        for index, day in enumerate(content.days):
            if day.adherence_pct is None:
                continue
            bar = height * day.adherence_pct / 100
            color = "#2e7d32" if day.adherence_pct >= 80 else "#f9a825"
            if day.adherence_pct < 50:
                color = "#c62828"
            page.rect(
                left + index * step + step * 0.15, top + height - bar, step * 0.7, bar, _rgb(color)
            )
        first, last = content.days[0].day, content.days[-1].day
        page.text(left, top + height + 12, first.isoformat(), size=8, color=GREY)
        page.text(left + width - 50, top + height + 12, last.isoformat(), size=8, color=GREY)
    cursor.y = top + height + 24


def _slot_chart(cursor: _Cursor, content: ReportContent) -> None:
    slots = content.slot_names
    dates = [day.day for day in content.days]
    if not slots or not dates:
        return
    row_height = 14.0
    left = MARGIN + 30
    width = A4_WIDTH - MARGIN - left
    step = width / len(dates)
    cells = {(cell.day, cell.slot): cell.status for cell in content.slots}
    for slot in slots:
        page = cursor.need(row_height)
        page.text(MARGIN, cursor.y + 10, slot, size=8)
        for column, day in enumerate(dates):
            status = cells.get((day, slot))
            if status is not None:
                page.rect(
                    left + column * step + 0.5,
                    cursor.y,
                    max(step - 1, 0.5),
                    row_height - 3,
                    _rgb(STATUS_COLORS[status]),
                )
        cursor.y += row_height
    page = cursor.need(LINE * 2)
    x = left
    cursor.y += 6
    for status, color in STATUS_COLORS.items():
        page.rect(x, cursor.y - 7, 8, 8, _rgb(color))
        page.text(x + 11, cursor.y, STATUS_LABELS[status], size=8)
        x += 80
    cursor.y += LINE


def render_pdf(content: ReportContent) -> bytes:
    """The report as PDF bytes."""
    title = f"Health report: {content.patient_name}"
    document = PdfDocument(title=title)
    cursor = _Cursor(document)
    cursor.page.text(MARGIN, cursor.y + 10, title, size=18, bold=True)
    cursor.y += 28
    cursor.page.text(
        MARGIN,
        cursor.y,
        f"{content.date_from.isoformat()} to {content.date_to.isoformat()} ({content.timezone}), "
        f"generated {content.generated_at.strftime('%Y-%m-%d %H:%M')} UTC",
        size=9,
        color=GREY,
    )
    cursor.y += 12
    cursor.page.text(
        MARGIN, cursor.y, f"FHIR R4 export of this data: {content.fhir_export}", size=8, color=GREY
    )
    cursor.y += 20
    totals = content.totals
    cursor.page.text(
        MARGIN,
        cursor.y,
        f"Adherence {fmt_pct(totals.adherence_pct)} ({totals.taken} of {totals.scheduled} "
        "scheduled doses taken)",
        size=12,
        bold=True,
    )
    cursor.y += 6
    cursor.heading("Adherence by day")
    _adherence_chart(cursor, content)
    cursor.heading("Doses by time of day")
    _slot_chart(cursor, content)
    cursor.y += LINE / 2
    cursor.table(
        ["Day", "Scheduled", "On time", "Late", "Missed", "Skipped", "Adherence"],
        [
            [
                d.day.isoformat(),
                str(d.scheduled),
                str(d.on_time),
                str(d.late),
                str(d.missed),
                str(d.skipped),
                fmt_pct(d.adherence_pct),
            ]
            for d in content.days
        ],
        [90, 65, 60, 50, 55, 55, 60],
        "No scheduled doses.",
    )
    cursor.heading("Medications")
    cursor.table(
        ["Medication", "Dose", "Stock left", "Days of supply"],
        [
            [
                m.name,
                m.dose,
                "-" if m.stock_left is None else f"{m.stock_left:g}",
                "-" if m.days_of_supply is None else f"{m.days_of_supply:.1f}",
            ]
            for m in content.medications
        ],
        [180, 110, 100, 100],
        "No medications.",
    )
    cursor.heading("Symptoms")
    cursor.table(
        ["Reported", "Symptom", "Severity"],
        [
            [s.reported_at.strftime("%Y-%m-%d %H:%M"), s.symptom, s.severity or "-"]
            for s in content.symptoms
        ],
        [110, 250, 100],
        "No symptoms reported.",
    )
    cursor.heading("Alerts")
    cursor.table(
        ["Raised", "Type", "Level", "Status", "Message"],
        [
            [a.raised_at.strftime("%Y-%m-%d %H:%M"), a.alert_type, a.level, a.status, a.message]
            for a in content.alerts
        ],
        [85, 80, 50, 75, 225],
        "No alerts.",
    )
    cursor.heading("Insights")
    cursor.table(
        ["Severity", "Insight"],
        [[i.severity, f"{i.title}: {i.detail}"] for i in content.insights],
        [60, 455],
        "No insights.",
    )
    return document.render()
