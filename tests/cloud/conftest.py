"""Cloud fixtures: a migrated template database cloned per test, settings, sessions, the app."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import psycopg
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool

from cloud.app import create_app
from cloud.config import CloudSettings
from cloud.db.engine import make_engine, make_session_factory, sqlalchemy_url
from cloud.db.seed import DemoSeeder
from cloud.notifications.settings import NotificationSettings
from cloud.users.models import User
from cloud.users.schemas import TokenPair
from cloud.users.sessions import SessionService
from tests.cloud.analytics.receivers import SmtpServer, smtp_server
from tests.cloud.factories import CloudFactory
from tests.support import services

TEST_JWT_SECRET = "test-secret-" + "x" * 40
# The seeded template is made as of this instant, so re-seeding in a test is exactly repeatable.
SEED_NOW = datetime.now(UTC)


@pytest.fixture
def cloud_db_url(pg_admin_url: str, migrated_template: str) -> Iterator[str]:
    """SQLAlchemy URL of a fresh, migrated database for one test (dropped afterwards)."""
    with services.fresh_database(pg_admin_url, template=migrated_template) as url:
        yield sqlalchemy_url(url)


@pytest.fixture
def cloud_settings(cloud_db_url: str) -> CloudSettings:
    """Settings pointing at this test's database."""
    return CloudSettings(
        environment="development",
        database_url=cloud_db_url,
        jwt_secret=TEST_JWT_SECRET,
        db_pool_size=4,
        login_rate_limit=5,
        user_cache_seconds=0,
    )


@pytest.fixture
def engine(cloud_settings: CloudSettings) -> Iterator[Engine]:
    """The engine of this test's database."""
    engine = make_engine(cloud_settings)
    yield engine
    engine.dispose()


@pytest.fixture
def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Session factory bound to this test's database."""
    return make_session_factory(engine)


@pytest.fixture
def db(session_factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session on this test's database."""
    with session_factory() as session:
        yield session


@pytest.fixture
def factory(db: Session) -> CloudFactory:
    """Makes committed test rows in this test's database."""
    return CloudFactory(db)


@pytest.fixture(scope="session")
def seeded_template(pg_admin_url: str, migrated_template: str) -> Iterator[str]:
    """Name of a migrated database holding the demo seed, made once per session."""
    name = f"medmind_seeded_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(pg_admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{migrated_template}"')
    engine = create_engine(
        sqlalchemy_url(services.with_database(pg_admin_url, name)), poolclass=NullPool
    )
    with Session(engine) as session:
        DemoSeeder(session, now=SEED_NOW).run()
    engine.dispose()
    try:
        yield name
    finally:
        with psycopg.connect(pg_admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def app(cloud_settings: CloudSettings) -> Iterator[FastAPI]:
    """The API app on this test's database."""
    application = create_app(cloud_settings)
    yield application
    application.state.engine.dispose()


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    """An HTTP client calling the app in process."""
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def smtp(app: FastAPI) -> Iterator[SmtpServer]:
    """A real SMTP server the app's account emails go to."""
    with smtp_server() as server:
        app.state.notification_settings = NotificationSettings(
            smtp_host="127.0.0.1", smtp_port=server.port
        )
        yield server


def sign_in(settings: CloudSettings, user: User) -> TokenPair:
    """A new session for `user` in the settings' database, as a login makes (no password)."""
    engine = create_engine(sqlalchemy_url(settings.database_url or ""), poolclass=NullPool)
    with Session(engine) as db:
        stored = db.get(User, user.id)
        assert stored is not None, "sign in a user that exists"
        pair = SessionService(db, settings).open(stored, "127.0.0.1", datetime.now(UTC))
    engine.dispose()
    return pair


def bearer(settings: CloudSettings, user: User) -> dict[str, str]:
    """Authorization headers of a fresh session's access token for `user`."""
    return {"Authorization": f"Bearer {sign_in(settings, user).access_token}"}
