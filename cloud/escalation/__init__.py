"""Alerts and the escalation ladder: who is told about an alert, and when the next person is."""
