"""The plan-change hook: after a plan version is committed, every registered publisher gets it.

The plans service calls `publish_plan` once per device of the patient, after its transaction
committed. No publisher is registered by default; the MQTT side registers one that sends the
retained plan message. A failing publisher is logged and never undoes the stored plan: the
device also pulls its plan over REST and the retained message is re-sent on the next change.
"""

from __future__ import annotations

import logging
from typing import Protocol

from shared.plan import MedicationPlan

log = logging.getLogger(__name__)


class PlanPublisher(Protocol):
    """Something that delivers a device's new current plan (e.g. a retained MQTT message)."""

    def publish(self, device_id: str, plan: MedicationPlan) -> None:
        """Deliver `plan` to the device `device_id`."""


_publishers: list[PlanPublisher] = []


def register_plan_publisher(publisher: PlanPublisher) -> None:
    """Add a publisher (idempotent)."""
    if publisher not in _publishers:
        _publishers.append(publisher)


def unregister_plan_publisher(publisher: PlanPublisher) -> None:
    """Remove a publisher if registered."""
    if publisher in _publishers:
        _publishers.remove(publisher)


def registered_publishers() -> tuple[PlanPublisher, ...]:
    """The publishers currently registered."""
    return tuple(_publishers)


def publish_plan(device_ids: list[str], plan: MedicationPlan) -> None:
    """Hand `plan` to every registered publisher for every device; never raises."""
    for publisher in tuple(_publishers):
        for device_id in device_ids:
            try:
                publisher.publish(device_id, plan)
            except Exception:
                log.exception("plan publisher %r failed for device %s", publisher, device_id)
