"""Health insights of a patient (computed by the analytics jobs)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy import select

from cloud.api.pagination import Dates, Page, Paging, paginate
from cloud.deps import ReadDbSession, VisiblePatient
from cloud.insights.models import HealthInsight
from cloud.insights.schemas import InsightOut
from shared.enums import AlertLevel

router = APIRouter(prefix="/patients/{patient_id}", tags=["insights"])


@router.get("/insights", response_model=Page[InsightOut])
def list_insights(
    *,
    patient: VisiblePatient,
    db: ReadDbSession,
    page: Paging,
    dates: Dates,
    kind: Annotated[str | None, Query(max_length=60, description="Only this kind.")] = None,
    severity: Annotated[AlertLevel | None, Query(description="Only this severity.")] = None,
) -> Page[InsightOut]:
    """Insights whose period overlaps `from`..`to`, newest period first."""
    statement = (
        select(HealthInsight)
        .where(HealthInsight.patient_id == patient.id)
        .order_by(HealthInsight.period_end.desc(), HealthInsight.kind, HealthInsight.id)
    )
    if dates.start is not None:
        statement = statement.where(HealthInsight.period_end >= dates.start)
    if dates.end is not None:
        statement = statement.where(HealthInsight.period_start <= dates.end)
    if kind is not None:
        statement = statement.where(HealthInsight.kind == kind)
    if severity is not None:
        statement = statement.where(HealthInsight.severity == severity)
    return paginate(db, statement, page, InsightOut.model_validate)
