"""Every look at a patient's data is recorded, listed for the patient's doctor, never altered."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from cloud.config import CloudSettings
from tests.cloud.conftest import bearer
from tests.cloud.factories import CloudFactory


def test_a_caregivers_reads_appear_in_the_patients_access_log(
    client: TestClient, cloud_settings: CloudSettings, factory: CloudFactory
) -> None:
    patient, other = factory.patient(), factory.patient()
    caregiver = factory.caregiver(patient, other)
    doctor = factory.doctor(patient)
    as_caregiver = bearer(cloud_settings, caregiver)
    client.get(f"/api/v1/patients/{patient.id}", headers=as_caregiver)
    client.get(f"/api/v1/patients/{patient.id}/medications", headers=as_caregiver)
    client.patch(f"/api/v1/patients/{patient.id}", json={"notes": "seen"}, headers=as_caregiver)
    client.get(f"/api/v1/patients/{other.id}", headers=as_caregiver)

    log = client.get(
        f"/api/v1/patients/{patient.id}/access-log",
        params={"user_id": str(caregiver.id)},
        headers=bearer(cloud_settings, doctor),
    ).json()
    reads = client.get(
        f"/api/v1/patients/{patient.id}/access-log",
        params={"user_id": str(caregiver.id), "action": "read"},
        headers=bearer(cloud_settings, doctor),
    ).json()

    assert [(e["action"], e["resource"]) for e in log["items"]] == [
        ("update", "/patients/{patient_id}"),
        ("read", "/patients/{patient_id}/medications"),
        ("read", "/patients/{patient_id}"),
    ]
    entry = log["items"][0]
    assert entry["role"] == "caregiver" and entry["patient_id"] == str(patient.id)
    assert entry["path"] == f"/api/v1/patients/{patient.id}" and entry["address"]
    assert reads["total"] == 2


def test_the_access_log_is_for_doctors_and_admins(
    client: TestClient, cloud_settings: CloudSettings, factory: CloudFactory
) -> None:
    patient = factory.patient()
    caregiver = factory.caregiver(patient)

    response = client.get(
        f"/api/v1/patients/{patient.id}/access-log", headers=bearer(cloud_settings, caregiver)
    )

    assert response.status_code == 403


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE access_log SET action = 'nothing'",
        "DELETE FROM access_log",
        "TRUNCATE access_log",
    ],
)
def test_the_access_log_refuses_updates_and_deletes(
    client: TestClient,
    cloud_settings: CloudSettings,
    factory: CloudFactory,
    db: Session,
    statement: str,
) -> None:
    patient = factory.patient()
    client.get(f"/api/v1/patients/{patient.id}", headers=bearer(cloud_settings, factory.admin()))

    with pytest.raises(DBAPIError, match="append-only"):
        db.execute(text(statement))
    db.rollback()

    assert db.scalar(text("SELECT count(*) FROM access_log")) == 1


def test_the_access_log_refuses_changes_to_a_partition_by_name(db: Session) -> None:
    month = db.scalar(text("SELECT to_char(now(), 'YYYYMM')"))

    with pytest.raises(DBAPIError, match="append-only"):
        db.execute(text(f"TRUNCATE access_log_p{month}01"))
    db.rollback()
