"""MedMind edge agent: the bedside device that reminds, records, talks and syncs."""
