"""The tables that grow with every message, and how each is partitioned and kept."""

from __future__ import annotations

from datetime import timedelta

from cloud.partitions.periods import Period
from cloud.partitions.service import PartitionedTable
from cloud.partitions.settings import PartitionSettings


def growth_tables(settings: PartitionSettings) -> list[PartitionedTable]:
    """Every partitioned table with its retention from `settings`."""
    return [
        # Keyed on the sender's sent_at, which a resend repeats byte for byte, so a repeat
        # meets its first copy in the same partition; see docs/sync.md, "De-duplication".
        PartitionedTable(
            "ingested_messages",
            key="sent_at",
            period=Period.DAY,
            retention=timedelta(days=settings.dedupe_days),
            default_expiry="received_at",
        ),
        PartitionedTable(
            "device_heartbeats",
            key="received_at",
            period=Period.WEEK,
            retention=timedelta(days=settings.heartbeat_days),
        ),
        PartitionedTable(
            "dead_letters",
            key="received_at",
            period=Period.MONTH,
            retention=timedelta(days=settings.dead_letter_days),
        ),
    ]
