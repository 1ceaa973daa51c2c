"""Invitations come by real SMTP, work once, expire, can be revoked, link existing accounts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from cloud.config import CloudSettings
from cloud.patients.models import Patient
from cloud.users.models import User
from tests.cloud.accounts_support import auth, link_in, link_token, login, tokens
from tests.cloud.analytics.receivers import SmtpServer
from tests.cloud.conftest import bearer
from tests.cloud.factories import DEFAULT_PASSWORD, CloudFactory

PASSWORD = "marble cypress lagoon whistle"


@pytest.fixture
def doctor_and_patient(factory: CloudFactory) -> tuple[User, Patient]:
    """A doctor linked to a patient."""
    patient = factory.patient()
    return factory.doctor(patient), patient


def _invite(
    client: TestClient, settings: CloudSettings, inviter: User, patient: Patient, **body: str
) -> dict[str, str]:
    response = client.post(
        f"/api/v1/patients/{patient.id}/invitations",
        json={"role": "caregiver", **body},
        headers=bearer(settings, inviter),
    )
    assert response.status_code == 201, response.text
    invitation: dict[str, str] = response.json()
    return invitation


def test_an_invitation_is_received_accepted_once_and_refused_the_second_time(
    client: TestClient,
    cloud_settings: CloudSettings,
    smtp: SmtpServer,
    doctor_and_patient: tuple[User, Patient],
) -> None:
    doctor, patient = doctor_and_patient

    _invite(client, cloud_settings, doctor, patient, email="dana.daughter@example.test")
    [message] = smtp.inbox.messages
    token = link_token(message)
    accepted = client.post(
        "/api/v1/invitations/accept",
        json={"token": token, "full_name": "Dana Daughter", "password": PASSWORD},
    )
    again = client.post(
        "/api/v1/invitations/accept",
        json={"token": token, "full_name": "Mallory", "password": PASSWORD},
    )
    dana = tokens(client, "dana.daughter@example.test", PASSWORD)

    assert message["To"] == "dana.daughter@example.test"
    assert patient.full_name in str(message["Subject"])
    assert accepted.status_code == 200 and accepted.json()["account_created"] is True
    assert again.status_code == 410, "an invitation worked twice"
    seen = client.get(f"/api/v1/patients/{patient.id}", headers=auth(dana))
    assert seen.status_code == 200, "the new caregiver is not in the care team"


def test_an_expired_invitation_is_refused(
    app: FastAPI,
    client: TestClient,
    cloud_settings: CloudSettings,
    smtp: SmtpServer,
    doctor_and_patient: tuple[User, Patient],
) -> None:
    doctor, patient = doctor_and_patient
    _invite(client, cloud_settings, doctor, patient, email="late@example.test")
    later = datetime.now(UTC) + timedelta(days=cloud_settings.invitation_days, minutes=1)
    app.state.clock = lambda: later

    refused = client.post(
        "/api/v1/invitations/accept",
        json={"token": link_token(smtp.inbox.messages[0]), "full_name": "L", "password": PASSWORD},
    )

    assert refused.status_code == 410 and "expired" in refused.json()["error"]["message"]
    assert login(client, "late@example.test", PASSWORD).status_code == 401


def test_an_invitation_links_an_existing_account_without_a_new_password(
    client: TestClient,
    cloud_settings: CloudSettings,
    factory: CloudFactory,
    smtp: SmtpServer,
    doctor_and_patient: tuple[User, Patient],
) -> None:
    doctor, patient = doctor_and_patient
    caregiver = factory.caregiver()
    _invite(client, cloud_settings, doctor, patient, email=caregiver.email.upper())

    accepted = client.post(
        "/api/v1/invitations/accept", json={"token": link_token(smtp.inbox.messages[0])}
    )
    pair = tokens(client, caregiver.email, DEFAULT_PASSWORD)

    assert accepted.json()["account_created"] is False
    assert accepted.json()["user_id"] == str(caregiver.id)
    assert client.get(f"/api/v1/patients/{patient.id}", headers=auth(pair)).status_code == 200


def test_pending_invitations_are_listed_and_a_revoked_one_stops_working(
    client: TestClient,
    cloud_settings: CloudSettings,
    smtp: SmtpServer,
    doctor_and_patient: tuple[User, Patient],
) -> None:
    doctor, patient = doctor_and_patient
    headers = bearer(cloud_settings, doctor)
    invitation = _invite(client, cloud_settings, doctor, patient, email="gone@example.test")
    url = f"/api/v1/patients/{patient.id}/invitations"

    listed = client.get(url, headers=headers).json()
    revoked = client.delete(f"{url}/{invitation['id']}", headers=headers)
    after = client.get(url, headers=headers).json()
    accept = client.post(
        "/api/v1/invitations/accept",
        json={"token": link_token(smtp.inbox.messages[0]), "full_name": "G", "password": PASSWORD},
    )

    assert [i["email"] for i in listed] == ["gone@example.test"]
    assert revoked.status_code == 204 and after == []
    assert accept.status_code == 410


def test_only_a_primary_caregiver_invites_and_only_caregivers(
    client: TestClient, cloud_settings: CloudSettings, factory: CloudFactory, smtp: SmtpServer
) -> None:
    patient = factory.patient()
    primary = bearer(cloud_settings, factory.caregiver(patient, primary=True))
    helper = bearer(cloud_settings, factory.caregiver(patient))
    url = f"/api/v1/patients/{patient.id}/invitations"

    by_primary = client.post(url, json={"email": "a@x.test", "role": "caregiver"}, headers=primary)
    doctor_by_primary = client.post(
        url, json={"email": "b@x.test", "role": "doctor"}, headers=primary
    )
    by_helper = client.post(url, json={"email": "c@x.test", "role": "caregiver"}, headers=helper)

    assert by_primary.status_code == 201
    assert doctor_by_primary.status_code == 403 and by_helper.status_code == 403


def test_the_invitation_link_opens_the_web_apps_page_and_refusals_say_why(
    client: TestClient,
    cloud_settings: CloudSettings,
    smtp: SmtpServer,
    doctor_and_patient: tuple[User, Patient],
) -> None:
    doctor, patient = doctor_and_patient
    headers = bearer(cloud_settings, doctor)
    invitation = _invite(client, cloud_settings, doctor, patient, email="why@example.test")
    client.delete(f"/api/v1/patients/{patient.id}/invitations/{invitation['id']}", headers=headers)

    refused = client.post(
        "/api/v1/invitations/accept",
        json={"token": link_token(smtp.inbox.messages[0]), "full_name": "W", "password": PASSWORD},
    )

    assert urlsplit(link_in(smtp.inbox.messages[0])).path == "/app/invitations/accept"
    assert refused.json()["error"]["message"] == "this invitation was withdrawn; ask for a new one"


def test_a_role_that_cannot_be_invited_is_refused_in_the_apis_words(
    client: TestClient, cloud_settings: CloudSettings, doctor_and_patient: tuple[User, Patient]
) -> None:
    doctor, patient = doctor_and_patient
    url = f"/api/v1/patients/{patient.id}/invitations"

    answers = [
        client.post(
            url, json={"email": "a@x.test", "role": role}, headers=bearer(cloud_settings, doctor)
        )
        for role in ("admin", "nurse", 3)
    ]

    for answer in answers:
        assert answer.status_code == 422
        assert answer.json()["error"]["message"] == (
            "invalid request: body.role: Input should be 'caregiver' or 'doctor'"
        )
    schema = client.get("/openapi.json").json()["components"]["schemas"]["InvitationIn"]
    assert schema["properties"]["role"]["enum"] == ["caregiver", "doctor"]
