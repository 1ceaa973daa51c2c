"""Alerts: raised by devices or jobs, acknowledged and resolved by people."""
