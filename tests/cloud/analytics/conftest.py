"""Analytics fixtures: the cloud's migrated-template databases, a controllable clock, histories."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from cloud.app import create_app
from cloud.config import CloudSettings
from tests.cloud import conftest as cloud_fixtures
from tests.cloud.analytics.history import History

# The cloud tests' fixtures: a template database migrated once per session, cloned per test.
cloud_db_url = cloud_fixtures.cloud_db_url
cloud_settings = cloud_fixtures.cloud_settings
engine = cloud_fixtures.engine
session_factory = cloud_fixtures.session_factory
db = cloud_fixtures.db
bearer = cloud_fixtures.bearer


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        from datetime import timedelta

        self.now += timedelta(**delta)
        return self.now


@pytest.fixture
def clock() -> Clock:
    """Starts on 2026-11-20 06:00 UTC."""
    return Clock(datetime(2026, 11, 20, 6, 0, tzinfo=UTC))


@pytest.fixture
def client(cloud_settings: CloudSettings) -> Iterator[TestClient]:
    """The API app on this test's database."""
    with TestClient(create_app(cloud_settings)) as test_client:
        yield test_client


@pytest.fixture
def history(db: Session) -> History:
    """Builds a patient's known history in this test's database."""
    return History(db)
