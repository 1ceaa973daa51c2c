"""`medmind cloud ...`: run the API. Other cloud parts add their commands to `app` here."""

from __future__ import annotations

import signal
import sys
from typing import Annotated

import typer

from cloud.broker_auth.commands import broker_files
from cloud.fhir.commands import app as fhir_app
from cloud.ingest.commands import ingest
from cloud.jobs.cli import app as jobs_app
from cloud.tls.commands import tls_certs

app = typer.Typer(help="The cloud: REST API and background services.", no_args_is_help=True)
app.add_typer(jobs_app, name="jobs")
app.add_typer(fhir_app, name="fhir")
app.command()(ingest)
app.command("broker-files")(broker_files)
app.command("tls-certs")(tls_certs)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Bind address (default from settings).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default from settings).")] = None,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes.")] = 1,
    migrate: Annotated[bool, typer.Option(help="Apply migrations before serving.")] = True,
) -> None:
    """Serve the REST API with uvicorn (embedded PostgreSQL if no database URL is set)."""
    import uvicorn

    from cloud.config import get_settings
    from cloud.db import migrate as migrations
    from cloud.db.engine import database_url, stop_embedded_postgres

    settings = get_settings()
    # uvicorn re-raises the SIGTERM it handled once it has shut down; exiting through Python
    # (not the default handler) lets the embedded PostgreSQL be stopped below.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        if migrate:
            # Both steps can take many seconds on a first start: say so rather than sit silent.
            if not settings.database_url:
                typer.echo("starting the embedded PostgreSQL (no MEDMIND_DATABASE_URL set)...")
            url = database_url(settings)
            typer.echo("applying database migrations...")
            migrations.upgrade(url)
        uvicorn.run(
            "cloud.app:create_app",
            factory=True,
            host=host or settings.api_host,
            port=port or settings.api_port,
            workers=workers,
            proxy_headers=True,
            forwarded_allow_ips=settings.trusted_proxies,
            log_level="info",
        )
    finally:
        stop_embedded_postgres()
