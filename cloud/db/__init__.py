"""Database plumbing: the declarative base, engine and sessions, migrations, the `db` CLI."""
