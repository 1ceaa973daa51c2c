"""The rolling horizon: a plan saved once keeps being expected month after month."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from cloud.alerts.models import AlertLog
from cloud.doses.models import DoseOccurrence
from cloud.jobs.runner import JobContext, run_job
from cloud.plans.schemas import PlanItemIn, PlanVersionIn
from cloud.plans.service import PlanService
from cloud.plans.wire import to_contract
from shared.enums import AlertType, Weekday
from shared.schedule import expand_plan
from tests.cloud.analytics.history import History, local

BERLIN = ZoneInfo("Europe/Berlin")
DAY_1 = date(2026, 2, 1)
DAY_60 = DAY_1 + timedelta(days=59)  # 1 April: summer time began on 29 March


def _plan() -> PlanVersionIn:
    return PlanVersionIn(
        timezone="Europe/Berlin",
        items=[
            PlanItemIn(
                medication_name="Metformin",
                dose=500,
                unit="mg",
                times_of_day=["08:00", "20:00"],
                start_date=DAY_1,
            ),
            PlanItemIn(
                medication_name="Vitamin D",
                dose=1,
                unit="tablet",
                times_of_day=["09:00"],
                every_n_days=3,
                start_date=DAY_1,
            ),
            PlanItemIn(
                medication_name="Statin",
                dose=10,
                unit="mg",
                times_of_day=["21:00"],
                days_of_week=[Weekday.MON, Weekday.WED, Weekday.FRI],
                start_date=DAY_1,
                end_date=DAY_60 + timedelta(days=5),
            ),
        ],
    )


def _stored(db: Session, patient_id: object, first: date, last: date) -> set[tuple[str, date, str]]:
    db.expire_all()
    rows = db.execute(
        select(
            DoseOccurrence.medication_name, DoseOccurrence.local_date, DoseOccurrence.slot
        ).where(
            DoseOccurrence.patient_id == patient_id,
            DoseOccurrence.local_date.between(first, last),
        )
    )
    return {(row.medication_name, row.local_date, row.slot) for row in rows}


def test_a_plan_saved_on_day_1_is_expected_and_alerted_on_day_60(
    db: Session, history: History, session_factory: sessionmaker[Session]
) -> None:
    ada = history.patient("Ada", "Europe/Berlin")
    history.caregiver(ada)
    history.commit()
    saved = PlanService(db).save_version(ada.id, _plan(), now=local(DAY_1, "07:00"))
    ctx = JobContext(sessions=session_factory)

    # The cloud's hourly job, once a day here; nobody touches the plan again.
    for n in range(1, 60):
        run_job(ctx, "horizon", local(DAY_1 + timedelta(days=n), "00:30"))
    morning: datetime = local(DAY_60, "00:30")
    assert run_job(ctx, "horizon", morning) == {"plans": 0, "occurrences": 0}, "nothing new"

    horizon = (DAY_60, DAY_60 + timedelta(days=14))
    wanted = {
        (occ.medication_name, occ.local_date, occ.slot)
        for occ in expand_plan(to_contract(saved), *horizon)
    }
    assert _stored(db, ada.id, *horizon) == wanted
    names = {name for name, _, _ in wanted}
    assert names == {"Metformin", "Vitamin D", "Statin"}
    assert all(day <= DAY_60 + timedelta(days=5) for name, day, _ in wanted if name == "Statin")
    assert all((day - DAY_1).days % 3 == 0 for name, day, _ in wanted if name == "Vitamin D")
    assert all(day.weekday() in (0, 2, 4) for name, day, _ in wanted if name == "Statin")
    evening = db.scalars(
        select(DoseOccurrence).where(
            DoseOccurrence.patient_id == ada.id,
            DoseOccurrence.local_date == DAY_60,
            DoseOccurrence.slot == "20:00",
        )
    ).one()
    assert evening.due_at.astimezone(BERLIN).utcoffset() == timedelta(hours=2), "summer time"

    # The evening dose of day 60 is forgotten: the cloud itself notices within 30 minutes.
    run_job(ctx, "escalations", local(DAY_60, "20:30"))
    (overdue,) = db.scalars(
        select(AlertLog).where(
            AlertLog.patient_id == ada.id, AlertLog.alert_type == AlertType.OVERDUE_DOSE
        )
    )
    assert overdue.occurrence_id == evening.id
