"""Every look at a patient's data is recorded, listed for the patient's doctor, never altered."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from cloud.config import CloudSettings
from cloud.patients.models import Caregiver, PatientCaregiver
from tests.cloud.analytics.history import History
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


def _logged(db: Session, patient_id: object, user_id: object) -> list[tuple[str, str]]:
    rows = db.execute(
        text(
            "SELECT action, path FROM access_log WHERE patient_id = :p AND user_id = :u"
            " ORDER BY path"
        ),
        {"p": patient_id, "u": user_id},
    ).all()
    return [(action, path) for action, path in rows]


def test_lists_across_patients_record_each_patient_on_the_page(
    client: TestClient, cloud_settings: CloudSettings, db: Session
) -> None:
    history = History(db)
    ada, bob, cid = history.patient("Ada"), history.patient("Bob"), history.patient("Cid")
    caregiver = history.caregiver(ada)
    profile = db.scalar(select(Caregiver.id).where(Caregiver.user_id == caregiver.id))
    db.add(PatientCaregiver(patient_id=bob.id, caregiver_id=profile))
    history.device_alert(ada, datetime.now(UTC))
    history.device_alert(cid, datetime.now(UTC))
    history.device(bob)
    history.commit()
    headers = bearer(cloud_settings, caregiver)

    for path in ("/api/v1/patients", "/api/v1/alerts", "/api/v1/devices"):
        assert client.get(path, headers=headers).status_code == 200

    assert _logged(db, ada.id, caregiver.id) == [
        ("read", "/api/v1/alerts"),
        ("read", "/api/v1/patients"),
    ]
    assert _logged(db, bob.id, caregiver.id) == [
        ("read", "/api/v1/devices"),
        ("read", "/api/v1/patients"),
    ]
    assert _logged(db, cid.id, caregiver.id) == [], "a patient out of reach was recorded"


def test_fhir_reads_by_id_and_searches_across_patients_are_recorded(
    client: TestClient, cloud_settings: CloudSettings, db: Session
) -> None:
    history = History(db)
    ada = history.patient("Ada")
    doctor = history.doctor(ada)
    alert = history.device_alert(ada, datetime.now(UTC))
    history.commit()
    headers = bearer(cloud_settings, doctor)

    for path in (f"Patient/{ada.id}", f"Flag/{alert.id}", "Flag"):
        assert client.get(f"/fhir/R4/{path}", headers=headers).status_code == 200

    assert _logged(db, ada.id, doctor.id) == [
        ("read", "/fhir/R4/Flag"),
        ("read", f"/fhir/R4/Flag/{alert.id}"),
        ("read", f"/fhir/R4/Patient/{ada.id}"),
    ]
