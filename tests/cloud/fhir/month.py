"""A month of one simulated patient, across the autumn DST change, for the FHIR tests."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.orm import Session

from cloud.conversations.models import Conversation, InteractionLog
from cloud.devices.models import Device
from cloud.medications.models import Medication
from cloud.patients.models import Doctor
from cloud.users.models import User
from shared.enums import AlertType, DoseStatus, Intent, Severity
from tests.cloud.analytics.history import History, PatientHistory, local

FIRST_DAY = date(2026, 10, 10)
DAYS = 30  # to 2026-11-08; Europe/Berlin leaves summer time on 2026-10-25
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
METFORMIN_CODES = [{"system": RXNORM, "code": "861007", "display": "metformin 500 MG Oral Tablet"}]
# A repeating week of outcomes for each scheduled dose.
_OUTCOMES = (
    (DoseStatus.ON_TIME, 3.0),
    (DoseStatus.LATE, 50.0),
    (DoseStatus.ON_TIME, 0.0),
    (DoseStatus.MISSED, 0.0),
    (DoseStatus.ON_TIME, 10.0),
    (DoseStatus.SKIPPED, 5.0),
    (DoseStatus.ON_TIME, 1.0),
)


@dataclass
class SimulatedMonth:
    """The patient, who looks after them, and what the month held."""

    who: PatientHistory
    caregiver: User
    doctor: User
    device: Device
    metformin: Medication

    @property
    def id(self) -> str:
        return str(self.who.id)


def simulate_month(history: History, name: str = "Ada Patient") -> SimulatedMonth:
    """A month of doses (taken on time and late, missed, skipped, as needed), symptoms, alerts
    and conversations, committed."""
    db: Session = history.db
    who = history.patient(name, timezone="Europe/Berlin")
    caregiver = history.caregiver(who)
    doctor = history.doctor(who)
    profile = db.query(Doctor).filter_by(user_id=doctor.id).one()
    profile.license_number, profile.specialty = "LANR-123456789", "General practice"
    who.plan.created_by_user_id = doctor.id
    device = history.device(who)
    device.software_version = "1.4.0"
    metformin = history.medication(who, "Metformin")
    metformin.codes = METFORMIN_CODES
    metformin.strength, metformin.form = "500 mg", "tablet"
    history.item(who, "Metformin", ["08:00", "20:00"], start=FIRST_DAY, medication=metformin)
    history.item(who, "Ramipril", ["02:30"], start=FIRST_DAY)
    history.item(who, "Paracetamol", [], start=FIRST_DAY, as_needed=True)
    outcomes = itertools.cycle(_OUTCOMES)
    conversation = Conversation(
        patient_id=who.id,
        device_pk=device.id,
        started_at=local(FIRST_DAY, "09:00"),
        last_activity_at=local(FIRST_DAY, "09:01"),
    )
    db.add(conversation)
    db.flush()
    for offset in range(DAYS):
        day = FIRST_DAY + timedelta(days=offset)
        for item, slot in (("Metformin", "08:00"), ("Metformin", "20:00"), ("Ramipril", "02:30")):
            status, late = next(outcomes)
            history.dose(who, item, day, slot, status, minutes_late=late)
        if offset % 5 == 0:
            history.dose(who, "Paracetamol", day, "14:00", DoseStatus.ON_TIME)
        if offset % 4 == 0:
            history.symptom(
                who, local(day, "10:15"), "headache", Severity(list(Severity)[offset % 3])
            )
        if offset % 6 == 0:
            history.device_alert(
                who, local(day, "20:45"), AlertType.MISSED_DOSE, message="Evening dose missed"
            )
        if offset % 3 == 0:
            db.add(
                InteractionLog(
                    conversation_id=conversation.id,
                    patient_id=who.id,
                    started_at=local(day, "09:00"),
                    transcript="what do I take tonight",
                    intent=Intent.MEDICATION_QUESTION,
                    reply="Metformin 500 mg at 20:00.",
                )
            )
    history.commit()
    return SimulatedMonth(who, caregiver, doctor, device, metformin)
