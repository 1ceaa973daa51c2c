"""The device's local store (SQLite via sqlite-utils): plan, occurrences, records and outbox."""

from edge_agent.store.database import OutboxMessage, Store
from edge_agent.store.occurrences import OccurrenceRecord, OccurrenceState

__all__ = ["OccurrenceRecord", "OccurrenceState", "OutboxMessage", "Store"]
