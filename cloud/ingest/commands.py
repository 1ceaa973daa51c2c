"""`medmind cloud ingest`: run one ingest worker until SIGTERM or SIGINT."""

from __future__ import annotations

import logging
import threading
from typing import Annotated

import typer

from shared.signals import stop_on_termination


def ingest(
    worker_id: Annotated[
        str | None,
        typer.Option(help="Stable id of this worker (its broker session); default hostname-pid."),
    ] = None,
    max_batch: Annotated[int | None, typer.Option(help="Messages per commit.")] = None,
) -> None:
    """Ingest every device's messages from the broker into PostgreSQL, then ack them."""
    from cloud.config import get_settings
    from cloud.db.engine import make_engine, make_session_factory
    from cloud.ingest.settings import IngestSettings
    from cloud.ingest.worker import IngestWorker, tune_garbage_collector
    from cloud.mqtt.settings import MqttSettings

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    overrides: dict[str, object] = {}
    if worker_id is not None:
        overrides["worker_id"] = worker_id
    if max_batch is not None:
        overrides["max_batch"] = max_batch
    settings = IngestSettings(**overrides)  # type: ignore[arg-type]
    engine = make_engine(get_settings())
    stop = threading.Event()
    stop_on_termination(stop.set)
    worker = IngestWorker(make_session_factory(engine), MqttSettings(), settings)
    tune_garbage_collector()
    typer.echo(f"ingest worker {settings.name} starting", err=True)
    try:
        worker.run(stop)
    finally:
        engine.dispose()
    stats = worker.stats
    typer.echo(
        f"ingest worker stopped: {stats.messages} messages in {stats.batches} batches, "
        f"{stats.acked_ids} message ids acked to devices",
        err=True,
    )
