"""Embeddings of patient text (pgvector when available)."""
