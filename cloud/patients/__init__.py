"""Patients and the caregivers and doctors linked to them (the ownership rule lives here)."""
