"""Conversations, interaction logs and LLM requests (device and cloud voice)."""
