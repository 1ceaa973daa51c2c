"""Jobs and the runner that schedules them.

Every job is a function of a session factory and a time (`now`), idempotent for that time:
running it twice gives the same rows. The scheduler runs each job at its own interval with an
injected clock and sleeper, so tests and the simulator can drive it; `run_all_once(now)` runs
every job once, in dependency order, for the simulator and the demo.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from cloud.analytics.periods import week_start
from cloud.analytics.service import AnalyticsService
from cloud.analytics.settings import AnalyticsSettings
from cloud.audit.partitions import ensure_access_log_partitions
from cloud.clock import Clock, utc_now
from cloud.doses.expansion import OccurrenceExpander
from cloud.escalation.service import EscalationService
from cloud.escalation.settings import AlertSettings
from cloud.jobs.settings import JobsSettings
from cloud.notifications.service import NotificationService
from cloud.notifications.settings import NotificationSettings
from cloud.partitions.service import PartitionService
from cloud.partitions.settings import PartitionSettings
from cloud.partitions.tables import growth_tables

log = logging.getLogger(__name__)


@dataclass
class JobContext:
    """What jobs need: sessions and every part's settings."""

    sessions: sessionmaker[Session]
    analytics: AnalyticsSettings = field(default_factory=AnalyticsSettings)
    alerts: AlertSettings = field(default_factory=AlertSettings)
    notifications: NotificationSettings = field(default_factory=NotificationSettings)
    jobs: JobsSettings = field(default_factory=JobsSettings)
    partitions: PartitionSettings = field(default_factory=PartitionSettings)


def _recent_days(now: datetime, days_back: int) -> list[date]:
    # Local dates that may have just ended somewhere (UTC-12 .. UTC+14 around `now`).
    today = now.astimezone(UTC).date()
    return [today - timedelta(days=n) for n in range(days_back, -1, -1)]


def horizon(ctx: JobContext, now: datetime, day: date | None = None) -> dict[str, Any]:
    """Keep every current plan expanded through today + the horizon in its patient's zone."""
    with ctx.sessions() as db:
        plans, occurrences = OccurrenceExpander(db).extend_horizon(now, ctx.jobs.horizon_days)
        db.commit()
        return {"plans": plans, "occurrences": occurrences}


def daily_summaries(ctx: JobContext, now: datetime, day: date | None = None) -> dict[str, Any]:
    """Given a day: summarise it for every patient. Else: every recent day that has ended in
    a patient's zone and has no fresh summary yet."""
    with ctx.sessions() as db:
        service = AnalyticsService(db, ctx.analytics)
        if day is not None:
            return {"day": day.isoformat(), "rows": service.daily_summaries(day, now=now)}
        rows = {
            d.isoformat(): service.daily_summaries(d, now=now, only_ended=True, only_missing=True)
            for d in _recent_days(now, ctx.jobs.days_back)
        }
        return {"rows": rows}


def weekly_summaries(ctx: JobContext, now: datetime, day: date | None = None) -> dict[str, Any]:
    """Given a day: its week for every patient. Else: recent weeks that ended in a zone."""
    with ctx.sessions() as db:
        service = AnalyticsService(db, ctx.analytics)
        if day is not None:
            return {
                "week_start": week_start(day).isoformat(),
                "rows": service.weekly_summaries(day, now=now),
            }
        weeks = sorted({week_start(d) for d in _recent_days(now, ctx.jobs.days_back + 7)})
        rows = {
            w.isoformat(): service.weekly_summaries(w, now=now, only_ended=True, only_missing=True)
            for w in weeks
        }
        return {"rows": rows}


def stale_summaries(ctx: JobContext, now: datetime, day: date | None = None) -> dict[str, Any]:
    """Recompute days and weeks that late-arriving facts made stale."""
    with ctx.sessions() as db:
        return dict(asdict(AnalyticsService(db, ctx.analytics).refresh_stale(now)))


def insights(ctx: JobContext, now: datetime, day: date | None = None) -> dict[str, Any]:
    """Given a day: insights for the period ending then. Else: recent days that ended."""
    with ctx.sessions() as db:
        service = AnalyticsService(db, ctx.analytics)
        if day is not None:
            return {"day": day.isoformat(), "rows": service.insights(day, now=now)}
        rows = {
            d.isoformat(): service.insights(d, now=now, only_ended=True)
            for d in _recent_days(now, ctx.jobs.days_back)
        }
        return {"rows": rows}


def escalations(ctx: JobContext, now: datetime, day: date | None = None) -> dict[str, Any]:
    """Raise alerts that are due and move every open alert along its ladder."""
    with ctx.sessions() as db:
        run = EscalationService(db, ctx.alerts, ctx.analytics).run(now)
        return dict(asdict(run))


def deliveries(ctx: JobContext, now: datetime, day: date | None = None) -> dict[str, Any]:
    """Send every notification delivery that is due."""
    with ctx.sessions() as db:
        return dict(asdict(NotificationService(db, ctx.notifications).deliver_due(now)))


def partitions(ctx: JobContext, now: datetime, day: date | None = None) -> dict[str, Any]:
    """Make the growth tables' partitions ahead; drop (or detach) those past retention."""
    with ctx.sessions() as db:
        service = PartitionService(db)
        return {
            table.name: asdict(service.maintain(table, now, ctx.partitions.expired))
            for table in growth_tables(ctx.partitions)
        }


def access_log_partitions(
    ctx: JobContext, now: datetime, day: date | None = None
) -> dict[str, Any]:
    """Make the access log's monthly partitions ahead (they are never dropped)."""
    with ctx.sessions() as db:
        ensure_access_log_partitions(db, now, ctx.jobs.access_log_months_ahead)
    return {"months_ahead": ctx.jobs.access_log_months_ahead}


Job = Callable[[JobContext, datetime, date | None], dict[str, Any]]

# In dependency order: expected doses first, then late facts, days, weeks, insights, alerts,
# their delivery.
JOBS: dict[str, Job] = {
    "horizon": horizon,
    "stale-summaries": stale_summaries,
    "daily-summaries": daily_summaries,
    "weekly-summaries": weekly_summaries,
    "insights": insights,
    "escalations": escalations,
    "deliveries": deliveries,
    "partitions": partitions,
    "access-log-partitions": access_log_partitions,
}


def run_job(ctx: JobContext, name: str, now: datetime, day: date | None = None) -> dict[str, Any]:
    """Run one job by name (KeyError names the known jobs)."""
    if name not in JOBS:
        raise KeyError(f"unknown job {name!r}; known: {', '.join(JOBS)}")
    return JOBS[name](ctx, now, day)


def run_all_once(ctx: JobContext, now: datetime) -> dict[str, dict[str, Any]]:
    """Every job once at `now`, in dependency order (what the simulator and demo call)."""
    return {name: job(ctx, now, None) for name, job in JOBS.items()}


class Scheduler:
    """Runs each job at its interval until stopped; a failing job is logged and retried later."""

    def __init__(
        self,
        ctx: JobContext,
        clock: Clock = utc_now,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.ctx = ctx
        self.clock = clock
        self.sleep = sleep
        self.stopped = threading.Event()
        jobs = ctx.jobs
        summaries = jobs.summaries_every_s
        self.intervals: dict[str, float] = {
            "horizon": jobs.horizon_every_s,
            "stale-summaries": summaries,
            "daily-summaries": summaries,
            "weekly-summaries": summaries,
            "insights": jobs.insights_every_s,
            "escalations": jobs.escalations_every_s,
            "deliveries": jobs.deliveries_every_s,
            "partitions": jobs.partitions_every_s,
            "access-log-partitions": jobs.partitions_every_s,
        }
        self.next_run: dict[str, datetime] = {}

    def tick(self) -> list[str]:
        """Run every job that is due now; the names run."""
        ran: list[str] = []
        for name, job in JOBS.items():
            now = self.clock()
            due = self.next_run.get(name)
            if due is not None and now < due:
                continue
            try:
                result = job(self.ctx, now, None)
                log.info("job %s: %s", name, result)
            except Exception:
                log.exception("job %s failed; next attempt at its next interval", name)
            self.next_run[name] = now + timedelta(seconds=self.intervals[name])
            ran.append(name)
        return ran

    def seconds_to_next(self) -> float:
        now = self.clock()
        waits = [(due - now).total_seconds() for due in self.next_run.values()]
        return max(0.0, min(waits, default=0.0))

    def run_forever(self) -> None:
        """Tick until `stop()`."""
        while not self.stopped.is_set():
            self.tick()
            self.sleep(min(self.seconds_to_next(), 1.0))

    def stop(self) -> None:
        self.stopped.set()
