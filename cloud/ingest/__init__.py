"""Ingest: idempotent storage of device messages (MQTT and REST) and dead letters."""
