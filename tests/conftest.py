"""Fixtures shared by every test package: real PostgreSQL and a real MQTT broker."""

from __future__ import annotations

import contextlib
import itertools
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.support import services

# The cloud is production unless told otherwise; the tests (and the workers and devices they
# start as processes) run it in development, as `make test` and `.ci/run` do.
os.environ.setdefault("MEDMIND_ENVIRONMENT", "development")


@pytest.fixture(scope="session")
def pg_admin_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Admin URL of the test PostgreSQL server (configured, or embedded for this session)."""
    with services.postgres_server(tmp_path_factory.mktemp("embedded-pg")) as url:
        yield url


@pytest.fixture
def database_url(pg_admin_url: str) -> Iterator[str]:
    """A brand-new, empty database for one test, dropped afterwards."""
    with services.fresh_database(pg_admin_url) as url:
        yield url


@pytest.fixture(scope="session")
def migrated_template(pg_admin_url: str) -> Iterator[str]:
    """A cloud database migrated once per session; tests copy it with `fresh_database`."""
    with services.migrated_template(pg_admin_url) as name:
        yield name


@pytest.fixture(scope="session")
def mqtt_url() -> Iterator[str]:
    """URL of the shared test broker (configured Mosquitto, or embedded amqtt)."""
    with services.mqtt_broker() as url:
        yield url


@pytest.fixture
def mosquitto_factory(tmp_path: Path) -> Iterator[Callable[..., services.Mosquitto]]:
    """Start private Mosquitto brokers (for ACLs, restarts); all stop after the test."""
    if not services.mosquitto_available():
        pytest.skip("mosquitto is not installed (the CI script installs it)")
    counter = itertools.count()
    with contextlib.ExitStack() as exits:

        def start(extra_config: str = "", persistence: bool = True) -> services.Mosquitto:
            workdir = tmp_path / f"mosquitto-{next(counter)}"
            return exits.enter_context(services.start_mosquitto(workdir, extra_config, persistence))

        yield start
