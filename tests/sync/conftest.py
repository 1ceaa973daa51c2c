"""Sync fixtures: a migrated database per test, and private Mosquitto brokers."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session, sessionmaker

from cloud.db.engine import make_session_factory, sqlalchemy_url
from tests.support import services
from tests.sync.support import INGEST_BROKER_CONFIG


@pytest.fixture
def sync_db_url(pg_admin_url: str, migrated_template: str) -> Iterator[str]:
    """SQLAlchemy URL of this test's migrated database."""
    with services.fresh_database(pg_admin_url, template=migrated_template) as url:
        yield sqlalchemy_url(url)


@pytest.fixture
def sessions(sync_db_url: str) -> Iterator[sessionmaker[Session]]:
    """Sessions on this test's database."""
    engine = create_engine(sync_db_url, pool_size=5)
    yield make_session_factory(engine)
    engine.dispose()


@pytest.fixture
def broker(mosquitto_factory: Callable[..., services.Mosquitto]) -> services.Mosquitto:
    """A private Mosquitto (persistent, anonymous) tuned for ingest."""
    return mosquitto_factory(INGEST_BROKER_CONFIG)
