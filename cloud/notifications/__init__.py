"""Notifications: per-user channels (webhook, email, in-app) and reliable delivery with retries."""
