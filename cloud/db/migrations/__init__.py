"""Alembic migrations of the cloud schema (run with `medmind db upgrade`)."""
