"""The jobs runner: summaries, insights, escalations and deliveries, scheduled or one-shot."""
