"""Health reports for a doctor's visit: adherence by day and slot, symptoms, alerts, insights."""
