"""The demo seed fills every list endpoint for every demo user, and re-running it adds nothing."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cloud.config import CloudSettings
from cloud.conversations.models import InteractionLog
from cloud.db.engine import sqlalchemy_url
from cloud.db.models import Base
from cloud.db.seed import PEOPLE, DemoSeeder, seed_id
from cloud.ingest.models import DeadLetter
from cloud.users.models import User
from shared.dialog import replies
from shared.enums import Intent, Role
from tests.cloud.conftest import SEED_NOW, bearer
from tests.support import services

PATIENT_LISTS = (
    "devices",
    "medications",
    "plans",
    "occurrences",
    "dose-events",
    "symptoms",
    "medication-questions",
    "conversations",
    "interactions",
    "alerts",
    "summaries/daily",
    "summaries/weekly",
    "insights",
    "health-reports",
    "care-team",
)
GLOBAL_LISTS = ("patients", "devices", "alerts", "notifications", "notifications/channels")


@pytest.fixture
def cloud_db_url(pg_admin_url: str, seeded_template: str) -> Iterator[str]:
    """This module's tests start from the demo seed."""
    with services.fresh_database(pg_admin_url, template=seeded_template) as url:
        yield sqlalchemy_url(url)


def _items(body: object) -> list[object]:
    return body["items"] if isinstance(body, dict) else body  # type: ignore[return-value]


@pytest.mark.parametrize(
    "email", [p.email for p in PEOPLE if p.email != "cathy.caregiver@medmind.demo"]
)
def test_every_list_endpoint_is_filled_for_each_demo_user(
    email: str, client: TestClient, db: Session, cloud_settings: CloudSettings
) -> None:
    user = db.scalars(select(User).where(User.email == email)).one()
    headers = bearer(cloud_settings, user)
    margaret = seed_id("patient", "margaret")
    paths = [f"/api/v1/{name}" for name in GLOBAL_LISTS]
    paths += [f"/api/v1/patients/{margaret}/{name}" for name in PATIENT_LISTS]
    paths += [
        "/api/v1/devices/bedside-margaret/heartbeats",
        "/api/v1/devices/bedside-margaret/history",
    ]
    if user.role is Role.ADMIN:
        paths.append("/api/v1/users")

    empty = []
    for path in paths:
        response = client.get(path, headers=headers)
        assert response.status_code == 200, f"{path}: {response.status_code} {response.text[:200]}"
        if not _items(response.json()):
            empty.append(path)

    assert not empty, f"empty for {email}: {empty}"


def test_seeding_again_changes_nothing(db: Session) -> None:
    def counts() -> dict[str, int]:
        return {
            name: db.scalar(select(func.count()).select_from(table)) or 0
            for name, table in Base.metadata.tables.items()
        }

    before = counts()
    DemoSeeder(db, now=SEED_NOW).run()

    assert counts() == before


def test_every_seeded_device_fact_passes_the_checks(db: Session) -> None:
    # The seed goes through ingest like a device: none of its facts may be refused.
    assert db.scalar(select(func.count()).select_from(DeadLetter)) == 0


def test_seeded_conversations_say_what_the_device_says(db: Session) -> None:
    # A newcomer reads the demo's conversations as the device's behaviour: a spoken dose report
    # is answered with the confirmation question, never with a claim that it was recorded.
    replies_by_intent = {row.intent: row.reply for row in db.scalars(select(InteractionLog)).all()}

    assert replies_by_intent[Intent.REPORT_DOSE_TAKEN] == replies.confirm_dose("Metformin, 500 mg")
    assert replies_by_intent[Intent.LOG_SYMPTOM] == replies.symptom_noted(
        "headache", caregiver_alerted=False
    )
