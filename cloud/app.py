"""The FastAPI application: `create_app(settings)` wires settings, database, routers, errors."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from cloud.api.errors import install_error_handlers
from cloud.api.health import router as health_router
from cloud.api.v1 import v1_router
from cloud.clock import Clock, utc_now
from cloud.config import CloudSettings, get_settings, require_production_secrets
from cloud.db.engine import make_engine, make_session_factory
from cloud.db.replica import ReplicaSessions
from cloud.fhir.app import mount_fhir
from cloud.mqtt.plan_publisher import plan_publishing
from cloud.mqtt.settings import MqttSettings
from cloud.notifications.settings import NotificationSettings
from cloud.users.active_cache import ActiveUserCache
from cloud.users.tokens import VerifiedTokens
from cloud.web.mount import mount_web

DESCRIPTION = """
MedMind's cloud API for caregivers, doctors, patients and admins, and the device fallback
endpoints. People authenticate with the OAuth2 password flow (`POST /api/v1/auth/login`) and
send `Authorization: Bearer <access token>`; devices use HTTP Basic with their provisioned
secret. A patient the caller is not linked to answers 404. Every error has the shape
`{"error": {"code", "message", "details"}}`. Lists take `limit` and `offset` and answer
`{"items", "total", "limit", "offset"}`.
"""


def create_app(settings: CloudSettings | None = None, clock: Clock = utc_now) -> FastAPI:
    """The API app for `settings` (default: read from the environment) on `clock`; outside
    development it refuses to start without its secrets (`require_production_secrets`)."""
    settings = settings or get_settings()
    require_production_secrets(settings, MqttSettings().hook_token)
    engine = make_engine(settings)
    sessions = make_session_factory(engine)
    read_engine = (
        make_engine(settings, settings.database_read_url, read_only=True)
        if settings.database_read_url
        else engine
    )

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        with plan_publishing(settings.mqtt_url, sessions):
            yield
        engine.dispose()
        read_engine.dispose()

    app = FastAPI(
        title="MedMind cloud API",
        version="1.0.0",
        description=DESCRIPTION,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.clock = clock
    app.state.engine = engine
    app.state.session_factory = sessions
    app.state.read_engine = read_engine
    # None: no replica, and the figures are read in the request's own session (`get_read_db`).
    app.state.read_sessions = (
        None if read_engine is engine else ReplicaSessions(make_session_factory(read_engine))
    )
    app.state.notification_settings = NotificationSettings()
    app.state.user_cache = ActiveUserCache(settings.user_cache_seconds)
    app.state.verified_tokens = VerifiedTokens()
    install_error_handlers(app)
    app.include_router(health_router)
    app.include_router(v1_router())
    mount_web(app)
    mount_fhir(app)
    return app
