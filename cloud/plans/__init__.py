"""Versioned medication plans, their contract form, and the plan-change hook."""
