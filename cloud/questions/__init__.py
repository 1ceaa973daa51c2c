"""Medication questions patients asked, and the answers."""
