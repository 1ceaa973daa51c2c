"""The jobs runner: all jobs once at a time, idempotent re-runs, the scheduler's intervals."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from cloud.alerts.models import AlertLog
from cloud.jobs.runner import JOBS, JobContext, Scheduler, run_all_once, run_job
from cloud.jobs.settings import JobsSettings
from cloud.notifications.models import ChannelKind, NotificationDelivery
from cloud.summaries.models import DailyPatientSummary
from shared.enums import DoseStatus
from tests.cloud.analytics.conftest import Clock
from tests.cloud.analytics.history import History

NOV_20 = date(2026, 11, 20)


def test_run_all_once_summarises_ended_days_alerts_and_delivers(
    db: Session, history: History, session_factory: sessionmaker[Session]
) -> None:
    ada = history.patient("Ada", "Europe/Berlin")
    carer = history.caregiver(ada)
    history.channel(carer, ChannelKind.IN_APP, "feed")
    history.item(ada, "Metformin", ["08:00", "20:00"])
    history.dose(ada, "Metformin", NOV_20, "08:00", DoseStatus.ON_TIME)
    history.dose(ada, "Metformin", NOV_20, "20:00", DoseStatus.MISSED, minutes_late=120)
    history.commit()
    ctx = JobContext(sessions=session_factory)
    # 23:30 UTC is 00:30 on Nov 21 in Berlin: Nov 20 has ended there.
    now = datetime(2026, 11, 20, 23, 30, tzinfo=UTC)

    result = run_all_once(ctx, now)
    assert result["daily-summaries"]["rows"]["2026-11-20"] == 1
    assert result["escalations"]["missed_raised"] == 1
    assert result["deliveries"]["sent"] == 1
    # The alert raised at 23:30 UTC (00:30 on Nov 21 in Berlin) is not Nov 20's.
    summary = db.scalars(select(DailyPatientSummary)).one()
    assert (summary.summary_date, summary.adherence_pct, summary.alerts) == (NOV_20, 50.0, 0)

    again = run_all_once(ctx, now + timedelta(minutes=1))
    assert again["daily-summaries"]["rows"] == {"2026-11-18": 0, "2026-11-19": 0, "2026-11-20": 0}
    assert again["escalations"]["missed_raised"] == 0
    assert again["deliveries"]["sent"] == 0
    assert db.scalar(select(func.count()).select_from(AlertLog)) == 1
    assert db.scalar(select(func.count()).select_from(NotificationDelivery)) == 1

    one_shot = run_job(ctx, "daily-summaries", now, NOV_20)
    assert one_shot == {"day": "2026-11-20", "rows": 0}


def test_the_scheduler_runs_each_job_at_its_own_interval(
    session_factory: sessionmaker[Session],
) -> None:
    clock = Clock(datetime(2026, 11, 20, 12, 0, tzinfo=UTC))
    ctx = JobContext(
        sessions=session_factory,
        jobs=JobsSettings(escalations_every_s=60, deliveries_every_s=10, summaries_every_s=900),
    )
    scheduler = Scheduler(ctx, clock=clock)
    assert scheduler.tick() == list(JOBS), "everything runs on the first tick"
    clock.advance(seconds=10)
    assert scheduler.tick() == ["deliveries"]
    clock.advance(seconds=50)
    assert scheduler.tick() == ["escalations", "deliveries"]
    assert scheduler.seconds_to_next() == 10.0
