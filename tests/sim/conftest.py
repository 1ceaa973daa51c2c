"""Fixtures of the simulator tests: a migrated template database and a local cloud per test."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from firmware_sim.stack import LocalCloud
from tests.support import services


@pytest.fixture
def anyio_backend() -> str:
    """The console runs on asyncio (textual's loop)."""
    return "asyncio"


@pytest.fixture(scope="session")
def migrated_template(pg_admin_url: str) -> Iterator[str]:
    """A database migrated once, copied for each test (migrating per test costs seconds)."""
    from cloud.db import migrate

    name = f"medmind_sim_template_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(pg_admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = pg_admin_url.rsplit("/", 1)[0] + f"/{name}"
    migrate.upgrade(url)
    try:
        yield name
    finally:
        with psycopg.connect(pg_admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def local_cloud(pg_admin_url: str, migrated_template: str, mqtt_url: str) -> Iterator[LocalCloud]:
    """API, ingest worker and plan publisher on a fresh database and the test broker."""
    with services.fresh_database(pg_admin_url, template=migrated_template) as url:
        cloud = LocalCloud(database_url=url, mqtt_url=mqtt_url)
        with contextlib.ExitStack() as stack:
            stack.callback(cloud.stop)
            cloud.start()
            yield cloud


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    return tmp_path
