"""Every endpoint x every role x a linked and an unlinked patient answers the expected status,
and no response shows a patient the caller may not see.

The world is the demo seed: Margaret is linked to caregiver Carol, doctor Dora and her own
patient login; Harold to caregiver Cathy and Dora; Aiko only to Cathy. Each role's "linked"
patient is Margaret; its "unlinked" one is a patient it has no link to (admin: Harold, whom it
sees anyway).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from cloud.alerts.writer import AlertWriter, NewAlert
from cloud.config import CloudSettings
from cloud.conversations.models import Conversation
from cloud.db.engine import sqlalchemy_url
from cloud.db.seed import DEMO_PASSWORD, seed_id
from cloud.doses.models import DoseOccurrence
from cloud.medications.models import Medication
from cloud.notifications.models import NotificationChannel, NotificationEvent
from cloud.patients.models import Patient
from cloud.plans.models import MedicationPlan
from cloud.reports.models import HealthReport
from cloud.users.models import User
from shared.enums import AlertLevel, AlertType, Role
from tests.cloud.conftest import bearer
from tests.cloud.factories import CloudFactory
from tests.support import services

READ, CARE, CLINICIAN, ADMIN, ANYONE, DEVICE, BROKER = (
    "read",
    "care",
    "clinician",
    "admin",
    "anyone",
    "device",
    "broker",
)
ALLOWED = {
    READ: set(Role),
    CARE: {Role.ADMIN, Role.DOCTOR, Role.CAREGIVER},
    CLINICIAN: {Role.ADMIN, Role.DOCTOR},
    ADMIN: {Role.ADMIN},
    ANYONE: set(Role),
    DEVICE: set(),
    BROKER: set(),
}
# Operations outside the matrix, and where their rules are pinned instead.
OUTSIDE_THE_MATRIX = {
    ("POST", "/api/v1/auth/login"): "signing in needs no role: tests/cloud/users/test_auth.py",
    ("POST", "/api/v1/auth/refresh"): "a refresh token, not a role: tests/cloud/users/test_auth.py",
}
BROKER_TOKEN = "broker-hook-token-for-the-matrix"
PATIENT_KEYS = {"margaret": "Margaret Smith", "harold": "Harold Jones", "aiko": "Aiko Tanaka"}
CALLERS = {
    Role.ADMIN: ("admin@medmind.demo", "harold"),
    Role.DOCTOR: ("dora.doctor@medmind.demo", "aiko"),
    Role.CAREGIVER: ("carol.caregiver@medmind.demo", "harold"),
    Role.PATIENT: ("margaret@medmind.demo", "harold"),
}


@dataclass(frozen=True)
class Endpoint:
    """One route, who may call it, what a success answers, and a body that succeeds."""

    method: str
    path: str
    rule: str
    ok: int = 200
    body: dict[str, Any] | None = None
    form: dict[str, str] | None = None
    # Ends the caller's other sessions (a password change): the matrix signs in afresh after.
    ends_sessions: bool = False


def _endpoints(spare_caregiver: uuid.UUID, spare_doctor: uuid.UUID) -> list[Endpoint]:
    p = "/api/v1/patients/{patient}"
    plan = {
        "items": [
            {
                "medication_name": "Metformin",
                "dose": 850,
                "unit": "mg",
                "times_of_day": ["09:00"],
                "start_date": "2026-01-01",
            }
        ]
    }
    return [
        Endpoint("GET", "/api/v1/auth/me", ANYONE),
        Endpoint("GET", "/api/v1/users", ADMIN),
        Endpoint("GET", "/api/v1/users/{user}", ADMIN),
        Endpoint(
            "POST",
            "/api/v1/users",
            ADMIN,
            201,
            {
                "email": "new.{n}@example.com",
                "full_name": "New",
                "role": "caregiver",
                "password": "lantern orchard gravel {n}",
            },
        ),
        Endpoint("GET", "/api/v1/users?q=demo&role=caregiver&active=true", ADMIN),
        Endpoint("POST", f"/api/v1/users/{spare_caregiver}/deactivate", ADMIN),
        Endpoint("POST", f"/api/v1/users/{spare_caregiver}/reactivate", ADMIN),
        Endpoint("PUT", f"/api/v1/users/{spare_caregiver}/role", ADMIN, 200, {"role": "doctor"}),
        Endpoint(
            "POST",
            "/api/v1/auth/password",
            ANYONE,
            204,
            {"current_password": DEMO_PASSWORD, "new_password": DEMO_PASSWORD},
            ends_sessions=True,
        ),
        Endpoint("POST", "/api/v1/auth/password-reset", ANYONE, 202, {"email": "x{n}@example.com"}),
        Endpoint(
            "POST",
            "/api/v1/auth/password-reset/confirm",
            ANYONE,
            422,
            {"token": "not-a-token", "new_password": "lantern orchard gravel"},
        ),
        Endpoint("POST", "/api/v1/invitations/accept", ANYONE, 404, {"token": "not-a-token"}),
        Endpoint("GET", "/api/v1/patients", ANYONE),
        Endpoint(
            "POST",
            "/api/v1/patients",
            CLINICIAN,
            201,
            {"full_name": "New Patient {n}", "timezone": "UTC"},
        ),
        Endpoint("GET", p, READ),
        Endpoint("PATCH", p, CARE, 200, {"notes": "reviewed"}),
        Endpoint("GET", p + "/care-team", READ),
        Endpoint("GET", p + "/access-log?action=read", CLINICIAN),
        Endpoint(
            "POST",
            p + "/invitations",
            CARE,
            201,
            {"email": "invitee.{n}@example.com", "role": "caregiver"},
        ),
        Endpoint("GET", p + "/invitations", CARE),
        Endpoint("DELETE", p + f"/invitations/{uuid.uuid4()}", CARE, 404),
        Endpoint("POST", p + "/caregivers", CLINICIAN, 204, {"user_id": str(spare_caregiver)}),
        Endpoint("DELETE", p + f"/care-team/{spare_caregiver}", CLINICIAN, 204),
        Endpoint("POST", p + "/doctors", CLINICIAN, 204, {"user_id": str(spare_doctor)}),
        Endpoint("GET", "/api/v1/devices", ANYONE),
        Endpoint("POST", "/api/v1/devices", ADMIN, 201, {"device_id": "new-device-{n}"}),
        Endpoint("GET", "/api/v1/devices/{device}", READ),
        Endpoint("PATCH", "/api/v1/devices/{device}", ADMIN, 200, {"name": "Renamed"}),
        Endpoint("POST", "/api/v1/devices/{device}/provision", ADMIN),
        Endpoint("GET", "/api/v1/devices/{device}/heartbeats", READ),
        Endpoint("GET", "/api/v1/devices/{device}/history", READ),
        Endpoint("GET", "/api/v1/devices/{device}/schedule", DEVICE),
        Endpoint("POST", "/api/v1/devices/{device}/events", DEVICE, 200, {"_list": []}),
        Endpoint("POST", "/api/v1/devices/{device}/voice", DEVICE, 200, {"transcript": "help"}),
        Endpoint("GET", p + "/devices", READ),
        Endpoint("GET", p + "/medications", READ),
        Endpoint("POST", p + "/medications", CARE, 201, {"name": "Aspirin"}),
        Endpoint("GET", p + "/medications/{medication}", READ),
        Endpoint("GET", p + "/stock", READ),
        Endpoint("PATCH", p + "/medications/{medication}", CARE, 200, {"quantity_dispensed": 30}),
        Endpoint("GET", p + "/plan", READ),
        Endpoint("GET", p + "/plans", READ),
        Endpoint("GET", p + "/plans/{plan_id}/versions/{version}", READ),
        Endpoint("POST", p + "/plans", CARE, 201, plan),
        Endpoint("GET", p + "/occurrences?from={month_ago}&to={today}", READ),
        Endpoint("GET", p + "/occurrences/{occurrence}", READ),
        Endpoint(
            "POST", p + "/occurrences/{occurrence}/decision", CARE, 200, {"status": "skipped"}
        ),
        Endpoint("GET", p + "/dose-events", READ),
        Endpoint("GET", p + "/adherence", READ),
        Endpoint("GET", p + "/symptoms", READ),
        Endpoint("GET", p + "/medication-questions", READ),
        Endpoint("GET", p + "/conversations", READ),
        Endpoint("GET", p + "/conversations/{conversation}", READ),
        Endpoint("GET", p + "/interactions", READ),
        Endpoint("GET", "/api/v1/alerts", ANYONE),
        Endpoint("GET", p + "/alerts", READ),
        Endpoint("GET", "/api/v1/alerts/{alert}", READ),
        Endpoint("POST", "/api/v1/alerts/{alert}/acknowledge", CARE),
        Endpoint("POST", "/api/v1/alerts/{alert}/resolve", CARE),
        Endpoint("GET", "/api/v1/notifications", ANYONE),
        Endpoint("GET", "/api/v1/notifications/channels", ANYONE),
        Endpoint("GET", "/api/v1/notifications/deliveries", ANYONE),
        Endpoint("POST", f"/api/v1/notifications/{uuid.uuid4()}/read", ANYONE, 404),
        Endpoint("DELETE", f"/api/v1/notifications/channels/{uuid.uuid4()}", ANYONE, 404),
        Endpoint(
            "POST",
            "/api/v1/notifications/channels",
            ANYONE,
            201,
            {"kind": "email", "target": "me{n}@example.com"},
        ),
        Endpoint("GET", p + "/summaries/daily", READ),
        Endpoint("GET", p + "/summaries/weekly", READ),
        Endpoint("GET", p + "/insights", READ),
        Endpoint("GET", p + "/health-reports", READ),
        Endpoint("GET", p + "/health-reports/{report}", READ),
        Endpoint("GET", p + "/health-reports/{report}/html", READ),
        Endpoint("GET", p + "/health-reports/{report}/pdf", READ),
        Endpoint("GET", p + "/reports?from={month_ago}&to={today}", READ),
        Endpoint("POST", "/api/v1/mqtt/auth", BROKER, 200, {"username": "x", "password": "y"}),
        Endpoint("POST", "/api/v1/mqtt/acl", BROKER, 200, {"topic": "y", "action": "publish"}),
        Endpoint("DELETE", p + "/medications/{medication}", CARE, 204),
        Endpoint("DELETE", p, ADMIN, 204),
        Endpoint("POST", "/api/v1/auth/logout", ANYONE, 204, ends_sessions=True),
    ]


@pytest.fixture
def cloud_db_url(pg_admin_url: str, seeded_template: str) -> Iterator[str]:
    """This module's tests start from the demo seed."""
    with services.fresh_database(pg_admin_url, template=seeded_template) as url:
        yield sqlalchemy_url(url)


def _ids(db: Session, key: str) -> dict[str, str]:
    patient_id = seed_id("patient", key)
    plan = db.scalars(
        select(MedicationPlan).where(
            MedicationPlan.patient_id == patient_id, MedicationPlan.is_current
        )
    ).one()
    occurrence = db.scalars(
        select(DoseOccurrence.id).where(DoseOccurrence.patient_id == patient_id).limit(1)
    ).one()
    conversation = db.scalars(
        select(Conversation.id).where(Conversation.patient_id == patient_id).limit(1)
    ).one()
    report = db.scalars(select(HealthReport.id).where(HealthReport.patient_id == patient_id)).one()
    medication = db.scalars(
        select(Medication.id).where(
            Medication.patient_id == patient_id, Medication.name == "Metformin"
        )
    ).one()
    alert = AlertWriter(db).raise_alert(
        NewAlert(
            patient_id=patient_id,
            alert_type=AlertType.OVERDUE_DOSE,
            level=AlertLevel.WARNING,
            message="Evening dose overdue",
            raised_at=datetime.now(UTC),
            cause_key=f"test-overdue:{key}",
        )
    )
    db.commit()
    return {
        "patient": str(patient_id),
        "device": f"bedside-{key}",
        "plan_id": str(plan.plan_id),
        "version": str(plan.version),
        "occurrence": str(occurrence),
        "conversation": str(conversation),
        "report": str(report),
        "medication": str(medication),
        "alert": str(alert),
    }


def _forbidden_markers(db: Session, visible_keys: set[str]) -> list[str]:
    markers = []
    for key, name in PATIENT_KEYS.items():
        if key not in visible_keys:
            markers += [str(seed_id("patient", key)), name, f"bedside-{key}"]
    return markers


def _visible_keys(role: Role, email: str) -> set[str]:
    return {
        Role.ADMIN: set(PATIENT_KEYS),
        Role.DOCTOR: {"margaret", "harold"},
        Role.CAREGIVER: {"margaret"},
        Role.PATIENT: {"margaret"},
    }[role]


def _call(
    client: TestClient, endpoint: Endpoint, path: str, headers: dict[str, str], n: int
) -> Any:
    body = endpoint.body
    if body is not None and "_list" in body:
        return client.request(endpoint.method, path, json=body["_list"], headers=headers)
    if body is not None:
        body = {k: v.format(n=n) if isinstance(v, str) else v for k, v in body.items()}
    return client.request(endpoint.method, path, json=body, headers=headers)


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_every_endpoint_answers_by_role_and_link_without_leaks(
    *,
    role: Role,
    client: TestClient,
    db: Session,
    factory: CloudFactory,
    cloud_settings: CloudSettings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # With the broker's hooks switched on, a user's token is still not the broker's.
    monkeypatch.setenv("MEDMIND_MQTT_HOOK_TOKEN", BROKER_TOKEN)
    email, unlinked_key = CALLERS[role]
    caller = db.scalars(select(User).where(User.email == email)).one()
    headers = bearer(cloud_settings, caller)
    spare_caregiver = factory.caregiver()
    spare_doctor = factory.doctor()
    today = date.today()
    common = {
        "user": str(caller.id),
        "today": today.isoformat(),
        "month_ago": date.fromordinal(today.toordinal() - 30).isoformat(),
    }
    targets = {"linked": _ids(db, "margaret"), "unlinked": _ids(db, unlinked_key)}
    forbidden = _forbidden_markers(db, _visible_keys(role, email))
    problems: list[str] = []
    n = 0
    for endpoint in _endpoints(spare_caregiver.id, spare_doctor.id):
        for link, ids in targets.items():
            n += 1
            path = endpoint.path.format(**ids, **common)
            response = _call(client, endpoint, path, headers, n)
            if endpoint.rule in (DEVICE, BROKER):
                expected = 401
            elif role not in ALLOWED[endpoint.rule]:
                expected = 403
            elif any(key in endpoint.path for key in ("{patient}", "{device}", "{alert}")):
                visible = role is Role.ADMIN or link == "linked"
                expected = endpoint.ok if visible else 404
            else:
                expected = endpoint.ok
            if response.status_code != expected:
                problems.append(
                    f"{endpoint.method} {endpoint.path} [{link}] as {role.value}: "
                    f"{response.status_code} (expected {expected}) {response.text[:160]}"
                )
            leaked = [marker for marker in forbidden if marker in response.text]
            if leaked:
                problems.append(
                    f"{endpoint.method} {endpoint.path} [{link}] as {role.value} leaks {leaked}"
                )
            if response.status_code >= 400:
                assert set(response.json()) == {"error"}, f"{endpoint.path}: not the error shape"
            if endpoint.ends_sessions:
                headers = bearer(cloud_settings, caller)
    assert not problems, "\n".join(problems)


def test_patients_see_only_themselves_in_lists(
    client: TestClient, db: Session, cloud_settings: CloudSettings
) -> None:
    margaret = db.scalars(select(User).where(User.email == "margaret@medmind.demo")).one()

    listed = client.get("/api/v1/patients", headers=bearer(cloud_settings, margaret)).json()

    assert [p["full_name"] for p in listed["items"]] == ["Margaret Smith"]


def test_notifications_of_other_users_are_not_found(
    client: TestClient, db: Session, cloud_settings: CloudSettings
) -> None:
    carol = db.scalars(select(User).where(User.email == "carol.caregiver@medmind.demo")).one()
    cathy = db.scalars(select(User).where(User.email == "cathy.caregiver@medmind.demo")).one()
    cathys = db.scalars(
        select(NotificationEvent.id).where(NotificationEvent.user_id == cathy.id)
    ).first()
    cathys_channel = db.scalars(
        select(NotificationChannel.id).where(NotificationChannel.user_id == cathy.id)
    ).first()

    read = client.post(
        f"/api/v1/notifications/{cathys}/read", headers=bearer(cloud_settings, carol)
    )
    removed = client.delete(
        f"/api/v1/notifications/channels/{cathys_channel}", headers=bearer(cloud_settings, carol)
    )

    assert read.status_code == 404 and removed.status_code == 404


def test_a_patient_cannot_change_their_own_plan(
    client: TestClient, db: Session, cloud_settings: CloudSettings
) -> None:
    margaret = db.scalars(select(User).where(User.email == "margaret@medmind.demo")).one()
    patient = db.scalars(select(Patient).where(Patient.user_id == margaret.id)).one()

    response = client.post(
        f"/api/v1/patients/{patient.id}/plans",
        json={"items": []},
        headers=bearer(cloud_settings, margaret),
    )

    assert response.status_code == 403


def _operation(method: str, path: str, operations: set[tuple[str, str]]) -> tuple[str, str] | None:
    """The documented operation a matrix call reaches: the one sharing most literal segments."""
    segments = path.split("?", maxsplit=1)[0].strip("/").split("/")
    best: tuple[int, tuple[str, str]] | None = None
    for op_method, template in operations:
        parts = template.strip("/").split("/")
        if op_method != method or len(parts) != len(segments):
            continue
        pairs = zip(parts, segments, strict=True)
        if not all(part.startswith("{") or part == segment for part, segment in pairs):
            continue
        literal = sum(not part.startswith("{") for part in parts)
        if best is None or literal > best[0]:
            best = (literal, (op_method, template))
    return best[1] if best else None


def test_the_matrix_calls_every_documented_operation(app: FastAPI) -> None:
    operations = {
        (method.upper(), path)
        for path, item in app.openapi()["paths"].items()
        if path.startswith("/api/")
        for method in item
    }
    endpoints = _endpoints(uuid.uuid4(), uuid.uuid4())
    reached = {(e.method, e.path): _operation(e.method, e.path, operations) for e in endpoints}
    unknown = [call for call, operation in reached.items() if operation is None]
    missing = operations - set(reached.values()) - set(OUTSIDE_THE_MATRIX)
    assert not unknown, f"matrix calls that no documented operation answers: {unknown}"
    assert not missing, f"operations no role is tried on: {sorted(missing)}"
