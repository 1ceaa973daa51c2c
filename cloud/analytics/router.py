"""`/patients/{id}/stock`: what is left of each medication and when it runs out."""

from __future__ import annotations

import uuid
from datetime import date

from fastapi import APIRouter
from pydantic import BaseModel

from cloud.analytics.service import AnalyticsService
from cloud.analytics.stock import StockLevel
from cloud.deps import DbSession, Now, VisiblePatient

router = APIRouter(prefix="/patients/{patient_id}/stock", tags=["medications"])


class StockOut(BaseModel):
    """Stock of one medication today, at the rate the current plan uses it."""

    medication_id: uuid.UUID
    name: str
    stock_left: float
    units_per_day: float | None
    days_of_supply: float | None
    runs_out_on: date | None
    low_stock_days: int
    low: bool


def _out(level: StockLevel, today: date) -> StockOut:
    return StockOut(
        medication_id=level.medication_id,
        name=level.name,
        stock_left=level.stock_left,
        units_per_day=level.units_per_day,
        days_of_supply=level.days_of_supply,
        runs_out_on=level.runs_out_on(today),
        low_stock_days=level.threshold_days,
        low=level.low,
    )


@router.get("", response_model=list[StockOut])
def patient_stock(patient: VisiblePatient, db: DbSession, now: Now) -> list[StockOut]:
    """Every medication with a dispensed quantity: stock left (dispensed minus doses taken
    since), daily use, days of supply and the date it runs out."""
    today = now.date()
    levels = AnalyticsService(db).stock_levels(today, patient.id)
    return [_out(level, today) for level in levels]
