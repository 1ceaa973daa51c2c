"""Alerts and the escalation ladder on a controllable clock."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from cloud.alerts.models import AlertLog, AlertStatus
from cloud.alerts.service import AlertService
from cloud.alerts.writer import AlertWriter, NewAlert
from cloud.escalation.service import EscalationService
from cloud.escalation.settings import AlertSettings
from cloud.notifications.models import NotificationEvent
from shared.enums import AlertLevel, AlertType, DoseStatus
from tests.cloud.analytics.conftest import Clock
from tests.cloud.analytics.history import History, PatientHistory

DAY = date(2026, 11, 20)
DUE = datetime(2026, 11, 20, 7, 0, tzinfo=UTC)  # 08:00 in Berlin


def _patient(history: History) -> PatientHistory:
    ada = history.patient("Ada", "Europe/Berlin")
    history.caregiver(ada)
    history.caregiver(ada)
    history.doctor(ada)
    history.item(ada, "Metformin", ["08:00"])
    return ada


def _alerts(db: Session, who: PatientHistory) -> list[AlertLog]:
    db.expire_all()
    return list(
        db.scalars(
            select(AlertLog).where(AlertLog.patient_id == who.id).order_by(AlertLog.raised_at)
        )
    )


def _told(db: Session, alert: AlertLog) -> list[tuple[str, uuid.UUID]]:
    """(dedupe step, user) of every event about `alert`, in order."""
    events = db.scalars(
        select(NotificationEvent)
        .where(NotificationEvent.alert_id == alert.id)
        .order_by(NotificationEvent.created_at, NotificationEvent.dedupe_key)
    )
    return [((event.dedupe_key or "").split(":")[3], event.user_id) for event in events]


def _service(db: Session) -> EscalationService:
    return EscalationService(db, AlertSettings(overdue_after_minutes=15, ack_timeout_minutes=15))


def test_overdue_at_15_minutes_tells_caregivers_then_climbs_to_doctor_then_everyone(
    db: Session, history: History
) -> None:
    ada = _patient(history)
    history.dose(ada, "Metformin", DAY, "08:00", DoseStatus.PENDING)
    history.commit()
    service, clock = _service(db), Clock(DUE + timedelta(minutes=14))
    care_a, care_b = (u.id for u in ada.caregivers)
    doctor = ada.doctors[0].id

    assert service.run(clock()).overdue_raised == 0, "not overdue before +15 min"
    assert _alerts(db, ada) == []

    run = service.run(clock.advance(minutes=1))
    assert (run.overdue_raised, run.ladder.started) == (1, 1)
    (alert,) = _alerts(db, ada)
    assert (alert.alert_type, alert.level, alert.status) == (
        AlertType.OVERDUE_DOSE,
        AlertLevel.WARNING,
        AlertStatus.OPEN,
    )
    assert alert.escalation_step == 0
    assert alert.next_escalation_at == clock.now + timedelta(minutes=15)
    assert sorted(_told(db, alert), key=str) == sorted([("0", care_a), ("0", care_b)], key=str)

    assert service.run(clock.advance(minutes=14)).ladder.escalated == 0, "waits for the ack"
    assert service.run(clock.advance(minutes=1)).ladder.escalated == 1
    (alert,) = _alerts(db, ada)
    assert alert.escalation_step == 1
    assert _told(db, alert)[-1] == ("1", doctor)

    assert service.run(clock.advance(minutes=15)).ladder.escalated == 1
    (alert,) = _alerts(db, ada)
    assert (alert.escalation_step, alert.next_escalation_at) == (2, None)
    assert sorted(u for step, u in _told(db, alert) if step == "2") == sorted(
        [care_a, care_b, doctor]
    )

    later = service.run(clock.advance(minutes=30))
    assert (later.overdue_raised, later.ladder.escalated, later.ladder.events) == (0, 0, 0)
    assert len(_alerts(db, ada)) == 1, "one open alert per cause, however often the job runs"


def test_acknowledging_stops_the_ladder(db: Session, history: History) -> None:
    ada = _patient(history)
    history.dose(ada, "Metformin", DAY, "08:00", DoseStatus.PENDING)
    history.commit()
    service, clock = _service(db), Clock(DUE + timedelta(minutes=15))
    service.run(clock())
    (alert,) = _alerts(db, ada)
    AlertService(db).acknowledge(alert, ada.caregivers[0].id, clock())
    run = service.run(clock.advance(minutes=20))
    assert (run.ladder.escalated, run.ladder.events) == (0, 0)
    (alert,) = _alerts(db, ada)
    assert alert.escalation_step == 0
    assert {step for step, _ in _told(db, alert)} == {"0"}


def test_resolving_stops_the_ladder_and_the_cause_is_not_raised_again(
    db: Session, history: History
) -> None:
    ada = _patient(history)
    history.dose(ada, "Metformin", DAY, "08:00", DoseStatus.PENDING)
    history.commit()
    service = _service(db)
    service.run(DUE + timedelta(minutes=15))
    (alert,) = _alerts(db, ada)
    AlertService(db).resolve(alert, ada.doctors[0].id, DUE + timedelta(minutes=20))
    run = service.run(DUE + timedelta(minutes=40))
    assert (run.overdue_raised, run.ladder.escalated, run.ladder.events) == (0, 0, 0)
    assert [a.status for a in _alerts(db, ada)] == [AlertStatus.RESOLVED]


def test_taking_the_dose_resolves_the_overdue_alert(db: Session, history: History) -> None:
    ada = _patient(history)
    dose = history.dose(ada, "Metformin", DAY, "08:00", DoseStatus.PENDING)
    history.commit()
    service, clock = _service(db), Clock(DUE + timedelta(minutes=16))
    service.run(clock())
    history.decide(dose, DoseStatus.LATE, clock.advance(minutes=4))
    history.commit()
    run = service.run(clock.advance(minutes=1))
    assert run.settled == 1
    (alert,) = _alerts(db, ada)
    assert alert.status is AlertStatus.RESOLVED
    assert service.run(clock.advance(minutes=30)).ladder.escalated == 0


def test_a_dose_still_pending_when_its_window_closes_is_alerted_as_missed(
    db: Session, history: History
) -> None:
    ada = _patient(history)
    history.dose(ada, "Metformin", DAY, "08:00", DoseStatus.PENDING)
    history.commit()
    service = _service(db)
    service.run(DUE + timedelta(minutes=15))
    run = service.run(DUE + timedelta(minutes=121))
    assert run.missed_raised == 1
    overdue, missed = _alerts(db, ada)
    assert overdue.status is AlertStatus.RESOLVED, "the missed alert takes over"
    assert (missed.alert_type, missed.status, missed.escalation_step) == (
        AlertType.MISSED_DOSE,
        AlertStatus.OPEN,
        0,
    )
    assert len(_told(db, missed)) == 2, "both caregivers told"


def test_a_silent_devices_dose_alerted_missed_settles_when_the_backlog_says_taken(
    db: Session, history: History
) -> None:
    ada = _patient(history)
    dose = history.dose(ada, "Metformin", DAY, "08:00", DoseStatus.PENDING)
    history.commit()
    service, clock = _service(db), Clock(DUE + timedelta(minutes=121))
    assert service.run(clock()).missed_raised == 1
    history.decide(dose, DoseStatus.ON_TIME, DUE + timedelta(minutes=3))
    history.commit()
    run = service.run(clock.advance(minutes=30))
    assert run.settled == 1
    assert [(a.alert_type, a.status) for a in _alerts(db, ada)] == [
        (AlertType.MISSED_DOSE, AlertStatus.RESOLVED)
    ]


def test_a_cause_once_alerted_is_not_raised_again_by_anyone(db: Session, history: History) -> None:
    ada = _patient(history)
    writer = AlertWriter(db)

    def alert(source: str) -> NewAlert:
        return NewAlert(
            patient_id=ada.id,
            alert_type=AlertType.MISSED_DOSE,
            level=AlertLevel.WARNING,
            message="missed",
            raised_at=DUE,
            cause_key="missed_dose:one-dose",
            source=source,
        )

    first = writer.raise_alert(alert("cloud"))
    assert first is not None
    assert writer.raise_alert(alert("device")) is None, "unresolved: one alert per cause"
    AlertService(db).resolve(db.get_one(AlertLog, first), ada.caregivers[0].id, DUE)
    assert writer.raise_alert(alert("device")) is None, "resolved: still the same cause"
    assert [a.id for a in _alerts(db, ada)] == [first]


def test_the_devices_own_missed_alert_is_not_doubled_by_the_cloud(
    db: Session, history: History
) -> None:
    ada = _patient(history)
    dose = history.dose(ada, "Metformin", DAY, "08:00", DoseStatus.MISSED, minutes_late=120)
    device_alert = history.device_alert(
        ada, DUE + timedelta(minutes=120), AlertType.MISSED_DOSE, AlertLevel.WARNING, "missed"
    )
    device_alert.cause_key = f"missed_dose:{dose.id}"
    device_alert.occurrence_id = dose.id
    history.commit()
    run = _service(db).run(DUE + timedelta(minutes=121))
    assert (run.missed_raised, run.ladder.started) == (0, 1)
    assert [a.id for a in _alerts(db, ada)] == [device_alert.id]


def test_an_emergency_goes_to_every_caregiver_and_doctor_at_once(
    db: Session, history: History
) -> None:
    ada = _patient(history)
    alert = history.device_alert(ada, DUE, AlertType.EMERGENCY, AlertLevel.CRITICAL, "Help!")
    history.commit()
    run = _service(db).run(DUE + timedelta(seconds=30))
    assert run.ladder.started == 1
    everyone = sorted([u.id for u in ada.caregivers] + [ada.doctors[0].id])
    assert sorted(user for _, user in _told(db, alert)) == everyone
    db.refresh(alert)
    assert (alert.escalation_step, alert.next_escalation_at) == (2, None)


def test_without_a_doctor_the_ladder_goes_from_caregivers_to_everyone(
    db: Session, history: History
) -> None:
    ada = history.patient("Ada")
    carer = history.caregiver(ada)
    history.item(ada, "Metformin", ["08:00"])
    history.dose(ada, "Metformin", DAY, "08:00", DoseStatus.PENDING)
    history.commit()
    service = _service(db)
    service.run(DUE + timedelta(minutes=15))
    service.run(DUE + timedelta(minutes=30))
    (alert,) = _alerts(db, ada)
    assert (alert.escalation_step, alert.next_escalation_at) == (2, None)
    assert _told(db, alert) == [("0", carer.id), ("2", carer.id)]


def test_low_stock_alerts_caregivers_once_and_a_refill_resolves_it(
    db: Session, history: History
) -> None:
    ada = _patient(history)
    medication = history.medication(
        ada,
        "Metformin",
        dispensed=10,
        dispensed_at=datetime(2026, 11, 13, tzinfo=UTC),
        low_stock_days=5,
    )
    ada.items["Metformin"].medication_id = medication.id
    for offset in range(7):  # 7 doses taken since dispensing: 3 left, 3 days of supply
        history.dose(
            ada,
            "Metformin",
            date(2026, 11, 13) + timedelta(days=offset),
            "08:00",
            DoseStatus.ON_TIME,
        )
    history.commit()
    service, now = _service(db), datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
    run = service.run(now)
    assert run.low_stock_raised == 1
    (alert,) = _alerts(db, ada)
    assert (alert.alert_type, alert.level) == (AlertType.LOW_STOCK, AlertLevel.INFO)
    assert "3 days of supply" in alert.message
    assert len(_told(db, alert)) == 2 and alert.next_escalation_at is None, "never climbs"
    assert service.run(now + timedelta(hours=1)).low_stock_raised == 0

    medication.quantity_dispensed = 60
    medication.dispensed_at = now + timedelta(hours=2)
    history.commit()
    assert service.run(now + timedelta(hours=3)).settled == 1
    (alert,) = _alerts(db, ada)
    assert alert.status is AlertStatus.RESOLVED


def test_a_silent_device_raises_one_offline_alert_for_the_caregivers(
    db: Session, history: History
) -> None:
    ada = _patient(history)
    device = history.device(ada)
    history.heartbeat(device, DUE)
    history.commit()
    service = _service(db)
    assert service.run(DUE + timedelta(minutes=29)).devices_offline == 0
    run = service.run(DUE + timedelta(minutes=31))
    assert (run.devices_offline, run.ladder.started) == (1, 1)
    (alert,) = _alerts(db, ada)
    assert alert.alert_type is AlertType.DEVICE_OFFLINE
    assert service.run(DUE + timedelta(minutes=40)).devices_offline == 0
