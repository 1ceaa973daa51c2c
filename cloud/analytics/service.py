"""AnalyticsService: runs summaries, stale refresh, insights and stock queries in a transaction."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TypeVar
from uuid import UUID

from sqlalchemy.orm import Session

from cloud.analytics import insights, stock, summaries
from cloud.analytics.periods import week_start
from cloud.analytics.settings import AnalyticsSettings
from cloud.summaries.staleness import mark_late_facts

T = TypeVar("T")


@dataclass(frozen=True)
class StaleRefresh:
    """How many days and weeks late facts made stale, and how many were recomputed."""

    days_marked: int
    weeks_marked: int
    days_recomputed: int
    weeks_recomputed: int


class AnalyticsService:
    """Set-wise analytics over every patient; each call is one committed transaction."""

    def __init__(self, db: Session, settings: AnalyticsSettings | None = None) -> None:
        self.db = db
        self.settings = settings or AnalyticsSettings()

    def _in_transaction(self, work: Callable[[], T]) -> T:
        try:
            result = work()
            self.db.commit()
        except BaseException:
            self.db.rollback()
            raise
        return result

    def daily_summaries(
        self, day: date, *, now: datetime, only_ended: bool = False, only_missing: bool = False
    ) -> int:
        """Summaries of local `day` (all patients with data); rows written or changed."""
        return self._in_transaction(
            lambda: summaries.upsert_daily(
                self.db, day, now=now, only_ended=only_ended, only_missing=only_missing
            )
        )

    def weekly_summaries(
        self, day: date, *, now: datetime, only_ended: bool = False, only_missing: bool = False
    ) -> int:
        """Summaries of the ISO week holding `day`, from its daily summaries."""
        monday = week_start(day)
        return self._in_transaction(
            lambda: summaries.upsert_weekly(
                self.db, monday, now=now, only_ended=only_ended, only_missing=only_missing
            )
        )

    def refresh_stale(self, now: datetime) -> StaleRefresh:
        """Mark days and weeks that late facts changed, then recompute them as of `now`."""

        def work() -> StaleRefresh:
            days_marked, weeks_marked = mark_late_facts(self.db, self.settings.stale_scan_days)
            days_recomputed, weeks_recomputed = summaries.recompute_stale(self.db, now)
            return StaleRefresh(days_marked, weeks_marked, days_recomputed, weeks_recomputed)

        return self._in_transaction(work)

    def insights(self, day: date, *, now: datetime, only_ended: bool = False) -> dict[str, int]:
        """Insights for the period ending on local `day`; rows changed per kind."""
        return self._in_transaction(
            lambda: insights.upsert_insights(
                self.db, day, self.settings, now=now, only_ended=only_ended
            )
        )

    def stock_levels(self, day: date, patient_id: UUID | None = None) -> list[stock.StockLevel]:
        """Stock and days of supply of tracked medications (read only)."""
        return self._in_transaction(
            lambda: stock.stock_levels(
                self.db,
                day,
                default_low_stock_days=self.settings.default_low_stock_days,
                patient_id=patient_id,
            )
        )
