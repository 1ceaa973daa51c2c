"""Symptoms reported by patients."""
