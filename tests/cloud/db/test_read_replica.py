"""A read replica (`MEDMIND_DATABASE_READ_URL`): the figures that may trail by a moment are read
there, in read-only transactions; access checks, the access log and writes stay on the primary.

The "replica" here is a second database: an empty one, to show which reads go where, or the
primary itself behind a read-only engine, to show that nothing those pages do writes through it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select, text
from sqlalchemy.exc import InternalError
from sqlalchemy.orm import Session

from cloud.alerts.writer import AlertWriter, NewAlert
from cloud.app import create_app
from cloud.config import CloudSettings
from cloud.db.engine import sqlalchemy_url
from cloud.db.seed import seed_id
from cloud.users.models import User
from cloud.web.deps import SESSION_COOKIE
from cloud.web.sessions import WebSessionService
from firmware_sim.embedded_broker import free_port
from shared.enums import AlertLevel, AlertType
from tests.cloud.conftest import bearer
from tests.support import services

MARGARET = seed_id("patient", "margaret")
NO_FIGURE = "\N{EN DASH}"  # what a page shows for a figure with nothing to count


@pytest.fixture
def cloud_db_url(pg_admin_url: str, seeded_template: str) -> Iterator[str]:
    """This module's primary starts from the demo seed (summaries, insights, a month of doses)."""
    with services.fresh_database(pg_admin_url, template=seeded_template) as url:
        yield sqlalchemy_url(url)


@pytest.fixture
def empty_replica(pg_admin_url: str, migrated_template: str) -> Iterator[str]:
    """A migrated database with no rows: what a replica that has not caught up would hold."""
    with services.fresh_database(pg_admin_url, template=migrated_template) as url:
        yield sqlalchemy_url(url)


def _app_reading_from(settings: CloudSettings, read_url: str) -> Iterator[FastAPI]:
    app = create_app(settings.model_copy(update={"database_read_url": read_url}))
    yield app
    app.state.engine.dispose()
    app.state.read_engine.dispose()


@pytest.fixture
def replica_app(cloud_settings: CloudSettings, empty_replica: str) -> Iterator[FastAPI]:
    yield from _app_reading_from(cloud_settings, empty_replica)


@pytest.fixture
def read_only_app(cloud_settings: CloudSettings, cloud_db_url: str) -> Iterator[FastAPI]:
    yield from _app_reading_from(cloud_settings, cloud_db_url)


def _doctor(db: Session) -> User:
    return db.scalars(select(User).where(User.email == "dora.doctor@medmind.demo")).one()


def _total(client: TestClient, path: str, headers: dict[str, str]) -> int:
    response = client.get(path, headers=headers)
    assert response.status_code == 200, response.text
    return int(response.json()["total"])


def test_summaries_and_insights_are_read_from_the_replica(
    client: TestClient, replica_app: FastAPI, db: Session, cloud_settings: CloudSettings
) -> None:
    headers = bearer(cloud_settings, _doctor(db))
    paths = [
        f"/api/v1/patients/{MARGARET}/summaries/daily",
        f"/api/v1/patients/{MARGARET}/summaries/weekly",
        f"/api/v1/patients/{MARGARET}/insights",
    ]
    on_the_primary = {path: _total(client, path, headers) for path in paths}
    assert all(on_the_primary.values()), f"the seed should hold each: {on_the_primary}"

    with TestClient(replica_app) as reading_the_replica:
        from_the_replica = {path: _total(reading_the_replica, path, headers) for path in paths}
        # The patient, the doctor's link and her session live on the primary only: access is
        # checked there, and the access log is written there.
        patient = reading_the_replica.get(f"/api/v1/patients/{MARGARET}", headers=headers)

    assert from_the_replica == dict.fromkeys(paths, 0), "figures were not read from the replica"
    assert patient.status_code == 200, patient.text


def test_the_patient_page_takes_its_chart_from_the_replica_and_its_alerts_from_the_primary(
    client: TestClient, replica_app: FastAPI, db: Session
) -> None:
    AlertWriter(db).raise_alert(
        NewAlert(
            patient_id=MARGARET,
            alert_type=AlertType.OVERDUE_DOSE,
            level=AlertLevel.WARNING,
            message="Lunchtime dose overdue (on the primary only)",
            raised_at=datetime.now(UTC),
            cause_key="replica-test",
        )
    )
    db.commit()
    token = WebSessionService(db).start(_doctor(db), timedelta(hours=1), datetime.now(UTC))
    client.cookies.set(SESSION_COOKIE, token)
    on_the_primary = client.get(f"/app/patients/{MARGARET}")
    with TestClient(replica_app) as reading_the_replica:
        reading_the_replica.cookies.set(SESSION_COOKIE, token)
        listed = reading_the_replica.get("/app/")
        page = reading_the_replica.get(f"/app/patients/{MARGARET}")

    assert listed.status_code == 200 and "Margaret Smith" in listed.text, listed.text[:300]
    assert page.status_code == 200, page.text[:300]
    assert _adherence_shown(on_the_primary.text) != NO_FIGURE, "no month to chart"
    assert _adherence_shown(page.text) == NO_FIGURE, "chart not from the replica"
    assert "Lunchtime dose overdue (on the primary only)" in page.text, "alerts left the primary"


def _adherence_shown(page: str) -> str:
    found = re.search(r'data-figure="adherence">([^<]*)<', page)
    assert found, "no adherence figure on the page"
    return found.group(1)


def test_while_the_replica_is_down_the_figures_come_from_the_primary(
    client: TestClient, db: Session, cloud_settings: CloudSettings
) -> None:
    headers = bearer(cloud_settings, _doctor(db))
    path = f"/api/v1/patients/{MARGARET}/summaries/daily"
    down = f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/medmind"
    on_the_primary = _total(client, path, headers)

    for app in _app_reading_from(cloud_settings, down):
        with TestClient(app) as reading_a_dead_replica:
            assert _total(reading_a_dead_replica, path, headers) == on_the_primary
            assert _total(reading_a_dead_replica, path, headers) == on_the_primary


def test_the_replica_is_read_in_read_only_transactions(read_only_app: FastAPI) -> None:
    session = read_only_app.state.read_sessions.open()
    assert session is not None, "the replica (here the primary, read-only) did not open"
    with session, pytest.raises(InternalError):
        session.execute(text("CREATE TABLE written_on_the_replica (id int)"))


def test_pages_and_figures_write_nothing_through_the_replica(
    read_only_app: FastAPI, db: Session, cloud_settings: CloudSettings
) -> None:
    doctor = _doctor(db)
    headers = bearer(cloud_settings, doctor)
    token = WebSessionService(db).start(doctor, timedelta(hours=1), datetime.now(UTC))
    pages = [
        "/app/",
        "/app/patients-table",
        f"/app/patients/{MARGARET}",
        f"/app/patients/{MARGARET}?days=90",
    ]
    api = [
        f"/api/v1/patients/{MARGARET}/summaries/daily",
        f"/api/v1/patients/{MARGARET}/summaries/weekly",
        f"/api/v1/patients/{MARGARET}/insights",
    ]
    with TestClient(read_only_app) as client:
        answers = {path: client.get(path, headers=headers) for path in api}
        client.cookies.set(SESSION_COOKIE, token)
        answers |= {path: client.get(path) for path in pages}

    failed = {path: r.status_code for path, r in answers.items() if r.status_code != 200}
    assert not failed, f"pages that failed on a read-only replica: {failed}"
    assert "Margaret Smith" in answers["/app/"].text
