"""Dose occurrences and the dose events that decide them."""
