"""Bedside devices: registration, provisioning credentials, presence, heartbeats."""
