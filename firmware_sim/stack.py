"""The whole cloud side on one machine, in this process: what the demo and the scenarios run on.

`LocalCloud` brings up, in order: PostgreSQL (the configured URL, else the embedded server),
its migrations, an MQTT broker (the configured URL, else the embedded amqtt), the ingest worker
on a thread, the plan publisher, and the REST API under uvicorn on a free loopback port. The
jobs (horizon, summaries, escalations, notifications) are the cloud's own; `run_jobs(now)` runs
them all once as of a given (simulated) time; the demo runs the cloud's `Scheduler` on the
simulated clock with `job_context()`.

One clock for the whole simulation: the API and the ingest worker read `clock`, which follows
the real clock until a scenario or the demo hands it its virtual device's (`clock.follow`), so
plan saves, expansion, presence, detection and escalation all happen in simulated time.
"""

from __future__ import annotations

import logging
import os
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from firmware_sim.embedded_broker import LOOPBACK, free_port, start_embedded_broker

log = logging.getLogger(__name__)

DATABASE_URL_ENV = "MEDMIND_DATABASE_URL"
MQTT_URL_ENV = "MEDMIND_MQTT_URL"
STARTUP_TIMEOUT_S = 30.0


class FollowingClock:
    """The cloud's clock in a simulation: reads whichever clock it was last told to follow."""

    def __init__(self) -> None:
        self._source: Callable[[], datetime] = _utc_now

    def follow(self, source: Callable[[], datetime] | None) -> None:
        """Read `source` from now on (None: the real clock again)."""
        self._source = source or _utc_now

    def __call__(self) -> datetime:
        return self._source()


def _utc_now() -> datetime:
    return datetime.now(UTC)


# The simulated devices heartbeat every 6 hours at most: the cloud judges silence after 7.
SIMULATED_SILENCE = timedelta(hours=7)


@dataclass
class LocalCloud:
    """Cloud services for a simulation; `start()` then `stop()` (or use it as a context)."""

    database_url: str | None = None
    mqtt_url: str | None = None
    embedded_pg_dir: Path | None = None
    api_port: int | None = None
    name: str = field(default_factory=lambda: f"sim-{uuid.uuid4().hex[:8]}")
    clock: FollowingClock = field(default_factory=FollowingClock)
    api_url: str = ""
    # Where account emails (invitations, password resets) go; unset: MEDMIND_NOTIFY_* settings.
    notification_settings: Any = None
    sessions: Any = None
    _engine: Any = None
    _worker_stop: threading.Event = field(default_factory=threading.Event)
    _threads: list[threading.Thread] = field(default_factory=list)
    _stops: list[Callable[[], None]] = field(default_factory=list)

    # -- lifecycle -------------------------------------------------------------------------

    def start(self, progress: Callable[[str], None] = log.info) -> LocalCloud:
        """Start every part; `progress` hears what is starting."""
        try:
            self._start_database(progress)
            self._start_broker(progress)
            self._start_ingest(progress)
            self._start_api(progress)
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """Stop what was started, newest first."""
        while self._stops:
            stop = self._stops.pop()
            try:
                stop()
            except Exception:
                log.exception("stopping a simulation part failed")

    def __enter__(self) -> LocalCloud:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- parts -----------------------------------------------------------------------------

    def _start_database(self, progress: Callable[[str], None]) -> None:
        from cloud.config import CloudSettings
        from cloud.db import migrate
        from cloud.db.engine import (
            database_url,
            make_engine,
            make_session_factory,
            sqlalchemy_url,
        )

        configured = self.database_url or os.environ.get(DATABASE_URL_ENV)
        if configured:
            settings = CloudSettings(environment="development", database_url=configured)
            progress("PostgreSQL: using the configured server")
        else:
            pg_dir = self.embedded_pg_dir or Path.home() / ".local/share/medmind/sim-pgdata"
            settings = CloudSettings(
                environment="development", database_url=None, embedded_pg_dir=pg_dir
            )
            progress(f"PostgreSQL: starting the embedded server in {pg_dir}")
        url = database_url(settings)
        self.database_url = sqlalchemy_url(url)
        progress("PostgreSQL: applying migrations")
        migrate.upgrade(self.database_url)
        self._engine = make_engine(settings, self.database_url)
        self.sessions = make_session_factory(self._engine)
        self._stops.append(self._engine.dispose)

    def _start_broker(self, progress: Callable[[str], None]) -> None:
        configured = self.mqtt_url or os.environ.get(MQTT_URL_ENV)
        if configured:
            self.mqtt_url = configured
            progress(f"MQTT broker: using {configured}")
            return
        broker = start_embedded_broker()
        self.mqtt_url = broker.url
        self._stops.append(broker.stop)
        progress(f"MQTT broker: embedded amqtt on {broker.url}")

    def mqtt_settings(self) -> Any:
        """The cloud's MQTT settings for this stack's broker.

        One ingest worker runs here, so it needs no shared subscription (which amqtt lacks).
        """
        from cloud.mqtt.settings import MqttSettings

        assert self.mqtt_url is not None
        return MqttSettings(url=self.mqtt_url, shared_subscription=False)

    def _start_ingest(self, progress: Callable[[str], None]) -> None:
        from cloud.ingest.settings import IngestSettings
        from cloud.ingest.worker import IngestWorker
        from cloud.mqtt.plan_publisher import MqttPlanPublisher
        from cloud.plans.hooks import register_plan_publisher, unregister_plan_publisher

        # Simulated time jumps (a scenario advances hours at once, a device replays days of
        # outbox after an outage): device times are held to the simulated receipt only loosely.
        settings = IngestSettings(
            worker_id=self.name, fact_max_age_days=36_500, clock_max_lead_s=100 * 366 * 86_400
        )
        worker = IngestWorker(self.sessions, self.mqtt_settings(), settings, self.clock)
        thread = threading.Thread(
            target=worker.run, args=(self._worker_stop,), name="ingest", daemon=True
        )
        thread.start()

        def stop_worker() -> None:
            self._worker_stop.set()
            thread.join(timeout=15)

        self._stops.append(stop_worker)
        if not worker.ready.wait(STARTUP_TIMEOUT_S):
            raise TimeoutError("the ingest worker did not subscribe to the broker")
        progress("ingest worker: subscribed to every device's messages")
        publisher = MqttPlanPublisher(self.mqtt_settings())
        register_plan_publisher(publisher)

        def stop_publisher() -> None:
            unregister_plan_publisher(publisher)
            publisher.close()

        self._stops.append(stop_publisher)

    def _start_api(self, progress: Callable[[str], None]) -> None:
        import uvicorn

        from cloud.app import create_app
        from cloud.config import CloudSettings

        port = self.api_port or free_port()
        # The local stack is a development run: built-in secret, no broker hooks. Links in its
        # emails lead to this API.
        settings = CloudSettings(
            environment="development",
            database_url=self.database_url,
            mqtt_url=self.mqtt_url,
            public_url=f"http://{LOOPBACK}:{port}",
        )
        app = create_app(settings, clock=self.clock)
        if self.notification_settings is not None:
            app.state.notification_settings = self.notification_settings
        config = uvicorn.Config(
            app, host=LOOPBACK, port=port, log_level="warning", lifespan="on", access_log=False
        )
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, name="api", daemon=True)
        thread.start()

        def stop_server() -> None:
            server.should_exit = True
            thread.join(timeout=15)

        self._stops.append(stop_server)
        # uvicorn handles no signals off the main thread; stop_server ends it.
        waited = threading.Event()
        for _ in range(int(STARTUP_TIMEOUT_S / 0.05)):
            if server.started:
                break
            waited.wait(0.05)
        else:
            raise TimeoutError("the REST API did not start")
        self.api_port = port
        self.api_url = f"http://{LOOPBACK}:{port}"
        progress(f"REST API: {self.api_url}/docs")

    # -- jobs ------------------------------------------------------------------------------

    def job_context(self) -> Any:
        """The jobs' context; silence is judged on simulated time (`SIMULATED_SILENCE`)."""
        from cloud.escalation.settings import AlertSettings
        from cloud.jobs.runner import JobContext

        silence = int(SIMULATED_SILENCE.total_seconds() // 60)
        return JobContext(
            sessions=self.sessions, alerts=AlertSettings(device_offline_after_minutes=silence)
        )

    def run_jobs(self, now: datetime) -> dict[str, dict[str, Any]]:
        """Every cloud job once, as of `now` (summaries, insights, escalations, deliveries)."""
        from cloud.jobs.runner import run_all_once

        result: dict[str, dict[str, Any]] = run_all_once(self.job_context(), now)
        return result
