"""EscalationService: one pass of alert detection and the escalation ladder at a given time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from cloud.analytics.settings import AnalyticsSettings
from cloud.escalation.detectors import raise_dose_alerts, raise_low_stock_alerts
from cloud.escalation.ladder import LadderRun, climb
from cloud.escalation.settings import AlertSettings
from cloud.ingest.presence import mark_silent_devices_offline


@dataclass(frozen=True)
class EscalationRun:
    """What one pass raised, settled and notified."""

    overdue_raised: int
    missed_raised: int
    low_stock_raised: int
    settled: int
    devices_offline: int
    ladder: LadderRun


class EscalationService:
    """Raises the cloud's alerts and moves every open alert along its ladder."""

    def __init__(
        self,
        db: Session,
        settings: AlertSettings | None = None,
        analytics: AnalyticsSettings | None = None,
    ) -> None:
        self.db = db
        self.settings = settings or AlertSettings()
        self.analytics = analytics or AnalyticsSettings()

    def run(self, now: datetime) -> EscalationRun:
        """Detect, then notify and escalate; each phase is committed."""
        lookback = timedelta(hours=self.settings.lookback_hours)
        try:
            overdue, missed, settled_doses = raise_dose_alerts(
                self.db, now, overdue_after=self.settings.overdue_after, lookback=lookback
            )
            low_stock, settled_stock = raise_low_stock_alerts(
                self.db,
                now,
                now.date(),
                default_low_stock_days=self.analytics.default_low_stock_days,
            )
            self.db.commit()
            offline = mark_silent_devices_offline(self.db, now, self.settings.device_offline_after)
            ladder = climb(self.db, now, self.settings.policy, lookback=lookback)
            self.db.commit()
        except BaseException:
            self.db.rollback()
            raise
        return EscalationRun(
            overdue_raised=overdue,
            missed_raised=missed,
            low_stock_raised=low_stock,
            settled=settled_doses + settled_stock,
            devices_offline=len(offline),
            ladder=ladder,
        )
