"""Web app fixtures: one cloud (API, ingest, broker, PostgreSQL) and one Chromium for all the web
tests (starting either costs seconds), a fresh browser context per test, and factories for the
people and data it shows (each test makes its own people, so tests stay independent).

Both live for this package only: while Playwright's sync API is open it keeps an event loop
running on the main thread, and every later test that runs a loop of its own would fail."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright
from sqlalchemy.orm import Session

from cloud.notifications.settings import NotificationSettings
from firmware_sim.stack import LocalCloud
from tests.cloud.analytics.receivers import SmtpServer, smtp_server
from tests.cloud.factories import CloudFactory
from tests.cloud.web.browser import CHROMIUM, Browsing, browsing, launch
from tests.support import services


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, shared by every web test."""
    if not Path(CHROMIUM).exists():
        pytest.skip("chromium is not installed (the CI script installs it)")
    with sync_playwright() as playwright:
        chromium = launch(playwright)
        yield chromium
        chromium.close()


@pytest.fixture(scope="package")
def mailbox() -> Iterator[SmtpServer]:
    """A real SMTP server receiving the web cloud's account emails (invitations, resets)."""
    with smtp_server() as server:
        yield server


@pytest.fixture(scope="package")
def web_cloud(
    pg_admin_url: str, migrated_template: str, mqtt_url: str, mailbox: SmtpServer
) -> Iterator[LocalCloud]:
    """API with the web app, ingest worker and plan publisher on a fresh database; its emails
    go to `mailbox`."""
    with services.fresh_database(pg_admin_url, template=migrated_template) as url:
        cloud = LocalCloud(
            database_url=url,
            mqtt_url=mqtt_url,
            notification_settings=NotificationSettings(
                smtp_host="127.0.0.1", smtp_port=mailbox.port
            ),
        )
        try:
            cloud.start()
            yield cloud
        finally:
            cloud.stop()


@pytest.fixture
def db(web_cloud: LocalCloud) -> Iterator[Session]:
    """A session on the module's cloud database."""
    with web_cloud.sessions() as session:
        yield session


@pytest.fixture
def factory(db: Session) -> CloudFactory:
    """Makes committed rows the web app will show."""
    return CloudFactory(db)


@pytest.fixture
def web(
    browser: Browser, web_cloud: LocalCloud, request: pytest.FixtureRequest
) -> Iterator[Browsing]:
    """A fresh browser tab on the web app (checked for requests off 127.0.0.1 afterwards)."""
    with browsing(browser, web_cloud.api_url, request.node.name) as tab:
        yield tab
