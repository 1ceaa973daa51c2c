"""Cause keys: one unresolved alert per cause (the partial unique index on alert_logs).

A dose alert's key is `<alert type>:<occurrence id>`, the form ingest gives the device's own
alerts about an occurrence, so the device and the cloud never raise the same alert twice.
"""

from __future__ import annotations

from uuid import UUID

from shared.enums import AlertType


def dose_cause(alert_type: AlertType, occurrence_id: UUID) -> str:
    """Key of an alert about one dose occurrence (overdue, missed)."""
    return f"{alert_type.value}:{occurrence_id}"


def low_stock_cause(medication_id: UUID) -> str:
    """Key of the low-stock alert of one medication."""
    return f"{AlertType.LOW_STOCK.value}:{medication_id}"
