"""`medmind db ...`: migrate the cloud database up or down, and load demo data."""

from __future__ import annotations

from typing import Annotated

import typer

app = typer.Typer(help="The cloud database: migrations and demo data.", no_args_is_help=True)


def _url() -> str:
    from cloud.config import get_settings
    from cloud.db.engine import database_url

    return database_url(get_settings())


@app.command()
def upgrade(
    revision: Annotated[str, typer.Argument(help="Target revision.")] = "head",
) -> None:
    """Apply migrations up to REVISION (default: the newest)."""
    from cloud.db import migrate

    migrate.upgrade(_url(), revision)
    typer.echo(f"database at revision {revision}")


@app.command()
def downgrade(
    revision: Annotated[str, typer.Argument(help="Target revision ('base' drops everything).")],
) -> None:
    """Revert migrations down to REVISION (e.g. -1 for one step, base for all)."""
    from cloud.db import migrate

    migrate.downgrade(_url(), revision)
    typer.echo(f"database at revision {revision}")


@app.command()
def seed() -> None:
    """Load demo data (idempotent) and print the demo logins and device credentials."""
    from cloud.config import get_settings
    from cloud.db import migrate
    from cloud.db.engine import make_engine, make_session_factory
    from cloud.db.seed import DemoSeeder

    settings = get_settings()
    url = _url()
    migrate.upgrade(url)
    engine = make_engine(settings, url)
    with make_session_factory(engine)() as session:
        report = DemoSeeder(session).run()
    engine.dispose()
    typer.echo("Demo logins (email / password / role):")
    for email, password, role in report.logins:
        typer.echo(f"  {email:32} {password:20} {role}")
    typer.echo("Demo devices (id / secret):")
    for device_id, secret in report.devices:
        typer.echo(f"  {device_id:32} {secret}")
