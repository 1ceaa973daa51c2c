"""The access audit: who read or changed which patient's data, kept append-only."""
