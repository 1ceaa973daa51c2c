"""A human-readable summary of the device's local state (`medmind edge status`)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from edge_agent.config import EdgeSettings
from edge_agent.store import Store
from edge_agent.store import occurrences as occ

NEXT_DOSES = 5


def describe_status(store: Store, settings: EdgeSettings) -> str:
    """Plan version, next doses, outbox depth, last ack and last sync."""
    plan = store.current_plan()
    zone = plan.zone if plan else ZoneInfo(settings.timezone)
    lines = [f"device:        {settings.device_id}"]
    if plan is None:
        lines.append("plan:          none yet")
    else:
        lines.append(f"plan:          {plan.plan_id} version {plan.version} ({plan.timezone})")
    now = store.clock.now()
    with store.transaction() as db:
        upcoming = occ.undecided_after(db, now)
    lines.append("next doses:" if upcoming else "next doses:    none")
    for record in upcoming[:NEXT_DOSES]:
        local = record.due_at.astimezone(zone)
        lines.append(f"  {local:%Y-%m-%d %H:%M}  {record.label}  [{record.state.value}]")
    lines.append(f"outbox depth:  {store.outbox_depth()}")
    for label, moment in (("last ack:", store.last_ack_at()), ("last sync:", store.last_sync_at())):
        shown = moment.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S %Z") if moment else "never"
        lines.append(f"{label:<14} {shown}")
    return "\n".join(lines)
