"""`ReplicaSessions`: a replica that cannot be reached is left alone for a while, then tried
again; one that answers gives sessions on it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from cloud.config import CloudSettings
from cloud.db.engine import make_engine, make_session_factory
from cloud.db.replica import ReplicaSessions
from firmware_sim.embedded_broker import free_port

RETRY_AFTER = 30.0


class Counting:
    """A session factory that counts how often it was asked."""

    def __init__(self, engine: Engine) -> None:
        self.sessions = make_session_factory(engine)
        self.calls = 0

    def __call__(self) -> Session:
        self.calls += 1
        return self.sessions()


@pytest.fixture
def unreachable(cloud_settings: CloudSettings) -> Iterator[Engine]:
    """A replica engine whose server is not there (nothing listens on its port)."""
    url = f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/postgres"
    engine = make_engine(cloud_settings, url, read_only=True)
    yield engine
    engine.dispose()


def test_an_unreachable_replica_is_left_alone_until_the_retry_time(unreachable: Engine) -> None:
    now = [100.0]
    factory = Counting(unreachable)
    replica = ReplicaSessions(factory, retry_after=RETRY_AFTER, monotonic=lambda: now[0])

    assert replica.open() is None
    now[0] += RETRY_AFTER - 1
    assert replica.open() is None
    assert factory.calls == 1, "the replica was tried again before the retry time"

    now[0] += 1
    assert replica.open() is None
    assert factory.calls == 2, "the replica was not tried again after the retry time"


def test_a_reachable_replica_gives_a_session_on_it(engine: Engine) -> None:
    replica = ReplicaSessions(make_session_factory(engine))

    session = replica.open()

    assert session is not None
    with session:
        assert session.execute(text("SELECT 1")).scalar_one() == 1
