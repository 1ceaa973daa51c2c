"""Demo data: people of every role, patients with devices, plans and 14 days of activity.

Everything has a deterministic id (UUID5 of a name), device messages go through the real
`IngestService`, and rows are created only when missing, so running the seed again changes
nothing (on a later day it adds the days that are new).
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from cloud.alerts.models import AlertLog, AlertStatus
from cloud.alerts.writer import AlertWriter
from cloud.analytics.settings import AnalyticsSettings
from cloud.broker_auth.passwords import mosquitto_hash
from cloud.devices.models import Device, DeviceCredential
from cloud.doses.expansion import OccurrenceExpander
from cloud.doses.service import DoseService
from cloud.ingest.service import IngestService
from cloud.insights.models import HealthInsight
from cloud.medications.models import Medication
from cloud.notifications.models import ChannelKind, NotificationChannel, NotificationEvent
from cloud.patients.models import Caregiver, Doctor, Patient, PatientCaregiver, PatientDoctor
from cloud.plans.models import MedicationPlan
from cloud.plans.schemas import PlanItemIn, PlanVersionIn
from cloud.plans.service import PlanService
from cloud.plans.wire import to_contract
from cloud.reports.gather import gather
from cloud.reports.html import render_html
from cloud.reports.models import HealthReport
from cloud.reports.pdf_report import render_pdf
from cloud.summaries.models import DailyPatientSummary, WeeklyPatientSummary
from cloud.users.models import User
from cloud.users.passwords import hash_password
from shared.dialog import replies
from shared.enums import (
    AlertLevel,
    AlertType,
    DoseSource,
    DoseStatus,
    Intent,
    Role,
    Severity,
)
from shared.envelope import Envelope, make_envelope
from shared.messages import (
    AlertBody,
    DoseEventBody,
    HeartbeatBody,
    InteractionBody,
    MedQuestionBody,
    MessageBody,
    PlanAppliedBody,
    SymptomBody,
)
from shared.schedule import as_needed_occurrence_id, expand_plan

SEED_NAMESPACE = uuid.UUID("0b6a3c57-93a4-4f0e-8d3e-6a1f52c9e7d1")
DEMO_PASSWORD = "medmind-demo-2026"
ACTIVITY_DAYS = 14


def seed_id(*parts: object) -> uuid.UUID:
    """The deterministic id of a seeded thing."""
    return uuid.uuid5(SEED_NAMESPACE, "/".join(str(p) for p in parts))


@dataclass(frozen=True)
class DemoPerson:
    email: str
    full_name: str
    role: Role


@dataclass(frozen=True)
class DemoPatient:
    key: str
    full_name: str
    born: date
    timezone: str
    login: str | None
    caregivers: tuple[str, ...]
    doctors: tuple[str, ...]


PEOPLE = (
    DemoPerson("admin@medmind.demo", "Ada Admin", Role.ADMIN),
    DemoPerson("dora.doctor@medmind.demo", "Dr. Dora Diaz", Role.DOCTOR),
    DemoPerson("carol.caregiver@medmind.demo", "Carol Smith", Role.CAREGIVER),
    DemoPerson("cathy.caregiver@medmind.demo", "Cathy Jones", Role.CAREGIVER),
    DemoPerson("margaret@medmind.demo", "Margaret Smith", Role.PATIENT),
)
PATIENTS = (
    DemoPatient(
        "margaret",
        "Margaret Smith",
        date(1941, 5, 2),
        "Europe/London",
        "margaret@medmind.demo",
        ("carol.caregiver@medmind.demo",),
        ("dora.doctor@medmind.demo",),
    ),
    DemoPatient(
        "harold",
        "Harold Jones",
        date(1938, 11, 20),
        "America/New_York",
        None,
        ("cathy.caregiver@medmind.demo",),
        ("dora.doctor@medmind.demo",),
    ),
    DemoPatient(
        "aiko",
        "Aiko Tanaka",
        date(1946, 2, 14),
        "Asia/Tokyo",
        None,
        ("cathy.caregiver@medmind.demo",),
        (),
    ),
)


@dataclass(frozen=True)
class SeedReport:
    """What the seed made (for printing)."""

    logins: list[tuple[str, str, str]]
    devices: list[tuple[str, str]]


def device_secret(key: str) -> str:
    """The demo secret of a seeded device (demo only: printed so the simulator can use it)."""
    return f"demo-device-secret-{key}"


class DemoSeeder:
    """Creates the demo data in one session; every step is idempotent."""

    def __init__(self, db: Session, now: datetime | None = None) -> None:
        self.db = db
        self.now = now or datetime.now(UTC)
        self.users: dict[str, User] = {}

    def run(self) -> SeedReport:
        """Seed everything; returns the demo logins and device credentials."""
        for person in PEOPLE:
            self.users[person.email] = self._user(person)
        self.db.commit()
        devices = []
        for spec in PATIENTS:
            patient = self._patient(spec)
            device = self._device(spec.key, patient)
            self.db.commit()
            plan = self._plan(patient)
            OccurrenceExpander(self.db).expand(
                plan, self._today(patient) - timedelta(days=ACTIVITY_DAYS), self._today(patient)
            )
            self.db.commit()
            self._activity(spec.key, patient, device, plan)
            self._summaries(patient)
            self._insight_and_report(patient)
            self._notifications(spec, patient)
            self.db.commit()
            devices.append((device.device_id, device_secret(spec.key)))
        return SeedReport(
            logins=[(p.email, DEMO_PASSWORD, p.role.value) for p in PEOPLE], devices=devices
        )

    def _today(self, patient: Patient) -> date:
        return self.now.astimezone(ZoneInfo(patient.timezone)).date()

    def _clock(self) -> datetime:
        """The seed's fixed "now", as a clock for services."""
        return self.now

    def _user(self, person: DemoPerson) -> User:
        user = self.db.scalar(select(User).where(User.email == person.email))
        if user is None:
            user = User(
                id=seed_id("user", person.email),
                email=person.email,
                full_name=person.full_name,
                role=person.role,
                # One hash each (own salt): a leaked hash says nothing about the others.
                password_hash=hash_password(DEMO_PASSWORD),
            )
            self.db.add(user)
            self.db.flush()
        profile_model: Any = {Role.DOCTOR: Doctor, Role.CAREGIVER: Caregiver}.get(person.role)
        if profile_model is not None and self._profile(profile_model, user.id) is None:
            self.db.add(profile_model(id=seed_id("profile", person.email), user_id=user.id))
            self.db.flush()
        return user

    def _profile(self, model: Any, user_id: uuid.UUID) -> Any:
        return self.db.scalar(select(model).where(model.user_id == user_id))

    def _patient(self, spec: DemoPatient) -> Patient:
        patient = self.db.get(Patient, seed_id("patient", spec.key))
        if patient is None:
            patient = Patient(
                id=seed_id("patient", spec.key),
                full_name=spec.full_name,
                date_of_birth=spec.born,
                timezone=spec.timezone,
                user_id=self.users[spec.login].id if spec.login else None,
                notes="Demo patient.",
            )
            self.db.add(patient)
            self.db.flush()
        links: list[Any] = []
        for email in spec.caregivers:
            caregiver = self._profile(Caregiver, self.users[email].id)
            links.append(
                {
                    "model": PatientCaregiver,
                    "id": seed_id("link", spec.key, email),
                    "patient_id": patient.id,
                    "caregiver_id": caregiver.id,
                    "relationship": "daughter",
                    "is_primary": True,
                }
            )
        for email in spec.doctors:
            doctor = self._profile(Doctor, self.users[email].id)
            links.append(
                {
                    "model": PatientDoctor,
                    "id": seed_id("link", spec.key, email),
                    "patient_id": patient.id,
                    "doctor_id": doctor.id,
                }
            )
        for link in links:
            model = link.pop("model")
            self.db.execute(pg_insert(model).values(**link).on_conflict_do_nothing())
        for name, strength, per_dose, stock in (
            ("Metformin", "500 mg", 1.0, 60.0),
            ("Lisinopril", "10 mg", 1.0, 8.0),
            ("Paracetamol", "500 mg", 2.0, 40.0),
        ):
            self.db.execute(
                pg_insert(Medication)
                .values(
                    id=seed_id("medication", spec.key, name),
                    patient_id=patient.id,
                    name=name,
                    strength=strength,
                    form="tablet",
                    quantity_dispensed=stock,
                    dispensed_at=self.now - timedelta(days=ACTIVITY_DAYS),
                    quantity_per_dose=per_dose,
                    low_stock_days=5,
                )
                .on_conflict_do_nothing()
            )
        return patient

    def _device(self, key: str, patient: Patient) -> Device:
        device_id = f"bedside-{key}"
        device = self.db.scalar(select(Device).where(Device.device_id == device_id))
        if device is None:
            device = Device(
                id=seed_id("device", key),
                device_id=device_id,
                patient_id=patient.id,
                name=f"{patient.full_name.split()[0]}'s bedside",
                provisioned_at=self.now - timedelta(days=ACTIVITY_DAYS + 1),
            )
            self.db.add(device)
            self.db.flush()
            self.db.add(
                DeviceCredential(
                    device_pk=device.id,
                    username=device_id,
                    password_hash=hash_password(device_secret(key)),
                    # So `medmind cloud broker-files` lets the seeded device onto the broker.
                    broker_password_hash=mosquitto_hash(device_secret(key)),
                )
            )
            self.db.flush()
        return device

    def _plan(self, patient: Patient) -> MedicationPlan:
        current = PlanService(self.db).current(patient.id)
        if current is not None:
            return current
        start = self._today(patient) - timedelta(days=30)
        spec = PlanVersionIn(
            note="Demo plan",
            items=[
                PlanItemIn(
                    medication_name="Metformin",
                    dose=500,
                    unit="mg",
                    instructions="with food",
                    times_of_day=["08:00", "20:00"],
                    start_date=start,
                ),
                PlanItemIn(
                    medication_name="Lisinopril",
                    dose=10,
                    unit="mg",
                    times_of_day=["08:00"],
                    start_date=start,
                ),
                PlanItemIn(
                    medication_name="Paracetamol",
                    dose=500,
                    unit="mg",
                    as_needed=True,
                    max_per_day=4,
                    start_date=start,
                ),
            ],
        )
        return PlanService(self.db).save_version(patient.id, spec, now=self.now)

    def _activity(self, key: str, patient: Patient, device: Device, plan: MedicationPlan) -> None:
        rng = random.Random(f"{key}-activity")
        today = self._today(patient)
        wire = to_contract(plan)
        bodies: list[tuple[str, MessageBody, datetime]] = []
        for occ in expand_plan(wire, today - timedelta(days=ACTIVITY_DAYS), today):
            if occ.missed_after > self.now:
                continue
            roll = rng.random()
            if roll < 0.7:
                status, decided = (
                    DoseStatus.ON_TIME,
                    occ.due_at + timedelta(minutes=rng.randint(0, 12)),
                )
            elif roll < 0.82:
                status, decided = (
                    DoseStatus.LATE,
                    occ.due_at + timedelta(minutes=rng.randint(20, 110)),
                )
            elif roll < 0.92:
                status, decided = DoseStatus.MISSED, occ.missed_after
            else:
                status, decided = DoseStatus.SKIPPED, occ.due_at + timedelta(minutes=5)
            source = DoseSource.TIMEOUT if status is DoseStatus.MISSED else DoseSource.BUTTON
            body = DoseEventBody(
                occurrence_id=occ.occurrence_id,
                plan_id=occ.plan_id,
                plan_version=occ.plan_version,
                item_id=occ.item_id,
                medication_name=occ.medication_name,
                local_date=occ.local_date,
                slot=occ.slot,
                due_at=occ.due_at,
                status=status,
                decided_at=decided,
                source=source,
                skip_reason="felt nauseous" if status is DoseStatus.SKIPPED else None,
                reminders_sent=1 if status is DoseStatus.ON_TIME else 3,
            )
            bodies.append((f"dose/{occ.occurrence_id}", body, decided))
            if status is DoseStatus.MISSED and (self.now - decided) < timedelta(days=3):
                alert = AlertBody(
                    alert_id=seed_id("alert", occ.occurrence_id),
                    alert_type=AlertType.MISSED_DOSE,
                    level=AlertLevel.WARNING,
                    raised_at=decided,
                    message=f"{patient.full_name} missed {occ.medication_name} due {occ.slot}",
                    occurrence_id=occ.occurrence_id,
                )
                bodies.append((f"alert/{occ.occurrence_id}", alert, decided))
        as_needed = next(item for item in wire.items if item.as_needed)
        for day_back in (2, 6, 11):
            taken = self.now - timedelta(days=day_back, hours=3)
            local = taken.astimezone(wire.zone)
            bodies.append(
                (
                    f"prn/{day_back}",
                    DoseEventBody(
                        occurrence_id=as_needed_occurrence_id(as_needed.item_id, taken),
                        plan_id=wire.plan_id,
                        plan_version=wire.version,
                        item_id=as_needed.item_id,
                        medication_name=as_needed.medication_name,
                        local_date=local.date(),
                        slot=local.strftime("%H:%M"),
                        due_at=taken,
                        status=DoseStatus.ON_TIME,
                        decided_at=taken,
                        source=DoseSource.VOICE,
                        as_needed=True,
                    ),
                    taken,
                )
            )
        for hours_back in range(0, 48, 6):
            at = self.now - timedelta(hours=hours_back)
            bodies.append(
                (
                    f"heartbeat/{at:%Y%m%d%H}",
                    HeartbeatBody(
                        uptime_s=3600.0 * (48 - hours_back),
                        outbox_depth=0,
                        plan_version=wire.version,
                        software_version="1.0.0",
                        voice_models=["vosk-small-en", "gemma3-270m"],
                    ),
                    at,
                )
            )
        bodies.append(
            (
                "plan-applied",
                PlanAppliedBody(
                    plan_id=wire.plan_id,
                    version=wire.version,
                    applied_at=plan.issued_at,
                    future_occurrences=42,
                ),
                plan.issued_at,
            )
        )
        bodies += self._conversation_bodies(key)
        help_at = self.now - timedelta(days=5, hours=4)
        bodies.append(
            (
                "alert/help",
                AlertBody(
                    alert_id=seed_id("alert", key, "help"),
                    alert_type=AlertType.EMERGENCY,
                    level=AlertLevel.CRITICAL,
                    raised_at=help_at,
                    message=f"{patient.full_name} pressed the help button",
                ),
                help_at,
            )
        )
        bodies.sort(key=lambda item: item[2])
        envelopes: list[Envelope[Any]] = [
            make_envelope(
                device.device_id,
                seq,
                body,
                sent_at=sent_at,
                message_id=seed_id("message", key, name),
            )
            for seq, (name, body, sent_at) in enumerate(bodies, start=1)
        ]
        service = IngestService(self.db, now=lambda: self.now)
        for first in range(0, len(envelopes), 200):
            service.ingest_envelopes(device.device_id, envelopes[first : first + 200])
        self._settle_emergency(key, patient)

    def _conversation_bodies(self, key: str) -> list[tuple[str, MessageBody, datetime]]:
        bodies: list[tuple[str, MessageBody, datetime]] = []
        exchanges = (
            (
                4,
                "I have a bad headache since this morning",
                Intent.LOG_SYMPTOM,
                replies.symptom_noted("headache", caregiver_alerted=False),
            ),
            (
                3,
                "What do I take tonight?",
                Intent.MEDICATION_QUESTION,
                "Tonight at 8 pm you take Metformin 500 mg.",
            ),
            # A spoken report records nothing until the patient confirms (shared.dialog).
            (
                1,
                "I took my pills",
                Intent.REPORT_DOSE_TAKEN,
                replies.confirm_dose("Metformin, 500 mg"),
            ),
        )
        for days_back, transcript, intent, reply in exchanges:
            at = self.now - timedelta(days=days_back, hours=2)
            conversation = seed_id("conversation", key, days_back)
            bodies.append(
                (
                    f"interaction/{days_back}",
                    InteractionBody(
                        conversation_id=conversation,
                        started_at=at,
                        transcript=transcript,
                        stt_engine="pocketsphinx",
                        stt_latency_ms=420.0,
                        intent=intent,
                        understanding={"intent": intent.value},
                        understood_by="rules",
                        reply=reply,
                        latency_ms=35.0,
                    ),
                    at,
                )
            )
            if intent is Intent.LOG_SYMPTOM:
                bodies.append(
                    (
                        f"symptom/{days_back}",
                        SymptomBody(
                            symptom_id=seed_id("symptom", key, days_back),
                            conversation_id=conversation,
                            reported_at=at,
                            symptom="headache",
                            body_part="head",
                            severity=Severity.MODERATE,
                            note=transcript,
                        ),
                        at,
                    )
                )
            if intent is Intent.MEDICATION_QUESTION:
                bodies.append(
                    (
                        f"question/{days_back}",
                        MedQuestionBody(
                            question_id=seed_id("question", key, days_back),
                            conversation_id=conversation,
                            asked_at=at,
                            question=transcript,
                            answer=reply,
                            medication_name="Metformin",
                            time_reference="tonight",
                        ),
                        at,
                    )
                )
        dizzy_at = self.now - timedelta(days=8)
        bodies.append(
            (
                "symptom/dizzy",
                SymptomBody(
                    symptom_id=seed_id("symptom", key, "dizzy"),
                    reported_at=dizzy_at,
                    symptom="dizziness",
                    severity=Severity.MILD,
                ),
                dizzy_at,
            )
        )
        return bodies

    def _settle_emergency(self, key: str, patient: Patient) -> None:
        """The demo emergency was taken on by the first caregiver and closed."""
        alert = self.db.get(AlertLog, seed_id("alert", key, "help"))
        caregiver = self._first_caregiver(patient)
        if alert is not None and caregiver is not None and alert.status is AlertStatus.OPEN:
            writer = AlertWriter(self.db)
            writer.acknowledge(alert, caregiver.id, alert.raised_at + timedelta(minutes=3))
            writer.resolve(alert, caregiver.id, alert.raised_at + timedelta(minutes=40))
            self.db.commit()

    def _first_caregiver(self, patient: Patient) -> User | None:
        return self.db.scalar(
            select(User)
            .join(Caregiver, Caregiver.user_id == User.id)
            .join(PatientCaregiver, PatientCaregiver.caregiver_id == Caregiver.id)
            .where(PatientCaregiver.patient_id == patient.id)
            .order_by(User.email)
            .limit(1)
        )

    def _summaries(self, patient: Patient) -> None:
        doses = DoseService(self.db, self._clock)
        today = self._today(patient)
        for days_back in range(ACTIVITY_DAYS, 0, -1):
            day = today - timedelta(days=days_back)
            self._upsert_summary(
                DailyPatientSummary,
                patient,
                {"summary_date": day},
                doses.adherence(patient.id, day, day),
            )
        monday = today - timedelta(days=today.weekday())
        for weeks_back in (2, 1):
            start = monday - timedelta(weeks=weeks_back)
            self._upsert_summary(
                WeeklyPatientSummary,
                patient,
                {"week_start": start},
                doses.adherence(patient.id, start, start + timedelta(days=6)),
            )

    def _upsert_summary(
        self, model: Any, patient: Patient, key: dict[str, date], figures: Any
    ) -> None:
        values = {
            "patient_id": patient.id,
            **key,
            "scheduled": figures.scheduled,
            "on_time": figures.on_time,
            "late": figures.late,
            "missed": figures.missed,
            "skipped": figures.skipped,
            "pending": figures.pending,
            "adherence_pct": figures.adherence_pct,
            "on_time_pct": figures.on_time_pct,
            "mean_minutes_late": figures.mean_minutes_late,
            "as_needed_doses": figures.as_needed_doses,
            "computed_at": self.now,
        }
        self.db.execute(
            pg_insert(model)
            .values(id=seed_id(model.__tablename__, patient.id, *key.values()), **values)
            .on_conflict_do_nothing()
        )

    def _insight_and_report(self, patient: Patient) -> None:
        today = self._today(patient)
        start = today - timedelta(days=ACTIVITY_DAYS)
        figures = DoseService(self.db, self._clock).adherence(patient.id, start, today)
        self.db.execute(
            pg_insert(HealthInsight)
            .values(
                id=seed_id("insight", patient.id, start),
                patient_id=patient.id,
                kind="evening_doses_missed",
                severity=AlertLevel.WARNING.value,
                title="Evening doses are missed more often",
                detail="Most missed doses in the last two weeks were due at 20:00.",
                evidence={"missed": figures.missed, "late": figures.late, "slot": "20:00"},
                period_start=start,
                period_end=today,
            )
            .on_conflict_do_nothing()
        )
        # The archived report is a real one, as the report service makes it, PDF included.
        content = gather(
            self.db,
            patient,
            start,
            today,
            now=self.now,
            default_low_stock_days=AnalyticsSettings().default_low_stock_days,
        )
        self.db.execute(
            pg_insert(HealthReport)
            .values(
                id=seed_id("report", patient.id, start),
                patient_id=patient.id,
                range_start=start,
                range_end=today,
                title=f"Two-week report for {patient.full_name}",
                html=render_html(content),
                pdf=render_pdf(content),
                generated_at=self.now,
            )
            .on_conflict_do_nothing()
        )

    def _notifications(self, spec: DemoPatient, patient: Patient) -> None:
        logins = (spec.login,) if spec.login else ()
        for email in (*spec.caregivers, *spec.doctors, *logins, "admin@medmind.demo"):
            user = self.users[email]
            self.db.execute(
                pg_insert(NotificationChannel)
                .values(
                    id=seed_id("channel", email),
                    user_id=user.id,
                    kind=ChannelKind.IN_APP.value,
                    target="",
                )
                .on_conflict_do_nothing()
            )
            self.db.execute(
                pg_insert(NotificationEvent)
                .values(
                    id=seed_id("notification", email, patient.id),
                    user_id=user.id,
                    patient_id=patient.id,
                    event_type="alert_raised",
                    level=AlertLevel.WARNING.value,
                    title=f"{patient.full_name} missed a dose",
                    body="An evening dose was not confirmed within its window.",
                    dedupe_key=f"seed:{email}:{patient.id}",
                )
                .on_conflict_do_nothing()
            )
