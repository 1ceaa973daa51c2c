"""The MedMind cloud: PostgreSQL models, ingest, services and the v1 REST API."""
