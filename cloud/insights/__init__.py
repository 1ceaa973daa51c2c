"""Health insights found by the analytics, with their evidence."""
