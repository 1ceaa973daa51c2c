"""Stock read for one patient is the same as that patient's rows of the fleet-wide read."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from cloud.analytics.stock import stock_levels
from shared.enums import DoseStatus
from tests.cloud.analytics.history import History, PatientHistory


def _on_metformin(history: History, name: str, dispensed: int, taken: int) -> PatientHistory:
    patient = history.patient(name)
    medication = history.medication(
        patient,
        "Metformin",
        dispensed=dispensed,
        dispensed_at=datetime.now(UTC) - timedelta(days=5),
    )
    history.item(patient, "Metformin", ["08:00", "20:00"], medication=medication)
    today = datetime.now(UTC).date()
    for days_ago in range(1, taken + 1):
        dose = history.dose(
            patient, "Metformin", today - timedelta(days=days_ago), "08:00", DoseStatus.PENDING
        )
        history.decide(dose, DoseStatus.ON_TIME, datetime.now(UTC) - timedelta(days=days_ago))
    return patient


def test_one_patients_stock_matches_the_fleet_read_beside_a_same_named_medication(
    db: Session, history: History
) -> None:
    ada = _on_metformin(history, "Ada", dispensed=30, taken=4)
    _on_metformin(history, "Bea", dispensed=10, taken=2)
    history.commit()
    today = datetime.now(UTC).date()

    own = stock_levels(db, today, default_low_stock_days=7, patient_id=ada.id)
    fleet = stock_levels(db, today, default_low_stock_days=7)

    assert own == [level for level in fleet if level.patient_id == ada.id]
    (level,) = own
    assert (level.stock_left, level.units_per_day) == (26.0, 2.0), "counted another's doses"
