"""API shapes of health reports."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict


class ReportFormat(StrEnum):
    """How the report endpoint answers: the stored report's metadata, or the document."""

    JSON = "json"
    HTML = "html"
    PDF = "pdf"


class ReportOut(BaseModel):
    """A stored report and where to fetch its documents."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    patient_id: uuid.UUID
    range_start: date
    range_end: date
    title: str
    generated_at: datetime
    html_url: str
    pdf_url: str
