"""Factories for known histories: people, links, plans, doses, symptoms, devices, channels."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from cloud.alerts.models import AlertLog, AlertStatus
from cloud.devices.models import Device, DeviceHeartbeat
from cloud.doses.models import DoseEventLog, DoseOccurrence
from cloud.medications.models import Medication
from cloud.notifications.models import ChannelKind, NotificationChannel
from cloud.patients.models import Caregiver, Doctor, Patient, PatientCaregiver, PatientDoctor
from cloud.plans.models import MedicationPlan, MedicationPlanItem
from cloud.symptoms.models import SymptomLog
from cloud.users.models import User
from shared.enums import AlertLevel, AlertType, DoseSource, DoseStatus, Role, Severity
from shared.schedule import occurrence_id, resolve_local


@dataclass
class PatientHistory:
    """One patient and what was made for them."""

    patient: Patient
    zone: ZoneInfo
    plan: MedicationPlan
    items: dict[str, MedicationPlanItem] = field(default_factory=dict)
    caregivers: list[User] = field(default_factory=list)
    doctors: list[User] = field(default_factory=list)

    @property
    def id(self) -> uuid.UUID:
        return self.patient.id


class History:
    """Writes rows the way ingest and the REST API would, with explicit times."""

    def __init__(self, db: Session) -> None:
        self.db = db
        self._counter = 0

    def _n(self) -> int:
        self._counter += 1
        return self._counter

    def user(self, role: Role, name: str | None = None) -> User:
        n = self._n()
        user = User(
            email=f"{role.value}{n}@example.org",
            full_name=name or f"{role.value.title()} {n}",
            role=role,
            password_hash="x",
        )
        self.db.add(user)
        self.db.flush()
        return user

    def patient(
        self,
        name: str = "Ada Patient",
        timezone: str = "Europe/Berlin",
        plan_start: date | None = None,
    ) -> PatientHistory:
        patient = Patient(full_name=name, timezone=timezone)
        self.db.add(patient)
        self.db.flush()
        plan = MedicationPlan(
            patient_id=patient.id,
            plan_id=uuid.uuid4(),
            version=1,
            timezone=timezone,
            issued_at=datetime(2026, 10, 1, tzinfo=UTC),
        )
        self.db.add(plan)
        self.db.flush()
        return PatientHistory(patient=patient, zone=ZoneInfo(timezone), plan=plan)

    def caregiver(self, who: PatientHistory) -> User:
        user = self.user(Role.CAREGIVER)
        profile = Caregiver(user_id=user.id)
        self.db.add(profile)
        self.db.flush()
        self.db.add(PatientCaregiver(patient_id=who.id, caregiver_id=profile.id))
        self.db.flush()
        who.caregivers.append(user)
        return user

    def doctor(self, who: PatientHistory) -> User:
        user = self.user(Role.DOCTOR)
        profile = Doctor(user_id=user.id)
        self.db.add(profile)
        self.db.flush()
        self.db.add(PatientDoctor(patient_id=who.id, doctor_id=profile.id))
        self.db.flush()
        who.doctors.append(user)
        return user

    def item(
        self,
        who: PatientHistory,
        name: str,
        times: list[str],
        start: date = date(2026, 10, 1),
        *,
        as_needed: bool = False,
        medication: Medication | None = None,
    ) -> MedicationPlanItem:
        item = MedicationPlanItem(
            plan_version_id=who.plan.id,
            item_id=uuid.uuid4(),
            position=len(who.items),
            medication_id=medication.id if medication else None,
            medication_name=name,
            dose=1.0,
            unit="tablet",
            times_of_day=times,
            days_of_week=[],
            start_date=start,
            as_needed=as_needed,
        )
        self.db.add(item)
        self.db.flush()
        who.items[name] = item
        return item

    def medication(
        self,
        who: PatientHistory,
        name: str,
        *,
        dispensed: float | None = None,
        dispensed_at: datetime | None = None,
        per_dose: float = 1.0,
        low_stock_days: int | None = None,
    ) -> Medication:
        medication = Medication(
            patient_id=who.id,
            name=name,
            quantity_dispensed=dispensed,
            dispensed_at=dispensed_at,
            quantity_per_dose=per_dose,
            low_stock_days=low_stock_days,
        )
        self.db.add(medication)
        self.db.flush()
        return medication

    def dose(
        self,
        who: PatientHistory,
        item_name: str,
        day: date,
        slot: str,
        status: DoseStatus,
        *,
        minutes_late: float = 0.0,
        received_at: datetime | None = None,
    ) -> DoseOccurrence:
        """An occurrence on local `day` at `slot`, decided `minutes_late` after it was due."""
        item = who.items[item_name]
        due = resolve_local(day, slot, who.zone)
        occurrence = DoseOccurrence(
            id=occurrence_id(item.item_id, day, slot),
            patient_id=who.id,
            plan_version_id=who.plan.id,
            plan_id=who.plan.plan_id,
            plan_version=who.plan.version,
            item_id=item.item_id,
            medication_name=item.medication_name,
            dose=item.dose,
            unit=item.unit,
            local_date=day,
            slot=slot,
            due_at=due,
            on_time_until=due + timedelta(minutes=item.on_time_minutes or 15),
            missed_after=due + timedelta(minutes=item.late_window_minutes or 120),
            as_needed=item.as_needed,
            status=DoseStatus.PENDING,
        )
        self.db.add(occurrence)
        self.db.flush()
        if status is not DoseStatus.PENDING:
            self.decide(occurrence, status, due + timedelta(minutes=minutes_late), received_at)
        return occurrence

    def decide(
        self,
        occurrence: DoseOccurrence,
        status: DoseStatus,
        decided_at: datetime,
        received_at: datetime | None = None,
    ) -> DoseEventLog:
        """A dose event for `occurrence`, as ingest stores it."""
        event = DoseEventLog(
            message_id=uuid.uuid4(),
            occurrence_id=occurrence.id,
            patient_id=occurrence.patient_id,
            status=status,
            source=DoseSource.TIMEOUT if status is DoseStatus.MISSED else DoseSource.BUTTON,
            decided_at=decided_at,
            received_at=received_at or decided_at,
            as_needed=occurrence.as_needed,
        )
        self.db.add(event)
        self.db.flush()
        occurrence.status = status
        occurrence.decided_at = decided_at
        occurrence.source = event.source
        occurrence.decided_by_event_id = event.id
        self.db.flush()
        return event

    def symptom(
        self, who: PatientHistory, at: datetime, symptom: str, severity: Severity | None = None
    ) -> SymptomLog:
        log = SymptomLog(patient_id=who.id, reported_at=at, symptom=symptom, severity=severity)
        self.db.add(log)
        self.db.flush()
        return log

    def device_alert(
        self,
        who: PatientHistory,
        at: datetime,
        alert_type: AlertType = AlertType.EMERGENCY,
        level: AlertLevel = AlertLevel.CRITICAL,
        message: str = "Help button pressed",
    ) -> AlertLog:
        """An alert raised by the device, as ingest stores it."""
        alert = AlertLog(
            patient_id=who.id,
            alert_type=alert_type,
            level=level,
            status=AlertStatus.OPEN,
            source="device",
            message=message,
            raised_at=at,
            cause_key=f"device:{uuid.uuid4()}",
        )
        self.db.add(alert)
        self.db.flush()
        return alert

    def device(self, who: PatientHistory, last_seen_at: datetime | None = None) -> Device:
        device = Device(device_id=f"dev-{self._n()}", patient_id=who.id, last_seen_at=last_seen_at)
        self.db.add(device)
        self.db.flush()
        return device

    def heartbeat(self, device: Device, at: datetime) -> DeviceHeartbeat:
        beat = DeviceHeartbeat(
            device_pk=device.id,
            message_id=uuid.uuid4(),
            sent_at=at,
            received_at=at,
            uptime_s=1.0,
            outbox_depth=0,
            software_version="1.0",
            clock_synced=True,
        )
        self.db.add(beat)
        device.last_seen_at = at
        self.db.flush()
        return beat

    def channel(
        self, user: User, kind: ChannelKind, target: str, secret: str | None = None
    ) -> NotificationChannel:
        channel = NotificationChannel(user_id=user.id, kind=kind, target=target, secret=secret)
        self.db.add(channel)
        self.db.flush()
        return channel

    def commit(self) -> None:
        self.db.commit()


def local(day: date, hhmm: str, zone: str = "Europe/Berlin") -> datetime:
    """A local wall time as a UTC instant."""
    return resolve_local(day, hhmm, ZoneInfo(zone)).astimezone(UTC)
