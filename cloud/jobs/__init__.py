"""The jobs runner: summaries, insights, alerts, deliveries, partitions; scheduled or one-shot."""
