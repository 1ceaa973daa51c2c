"""The device's MQTT sync: outbox to the cloud, acks/plans/commands back (see `client`).

`start(agent, store, settings)` is the seam `medmind edge run` and the simulator use. It imports
lazily so that `edge_agent.config` can import `edge_agent.sync.settings` without a cycle.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from edge_agent.agent import Agent
    from edge_agent.store import Store
    from edge_agent.sync.runner import RunningSync
    from edge_agent.sync.settings import SyncSettings


def start(agent: Agent, store: Store, settings: SyncSettings) -> RunningSync:
    """Connect `agent`'s outbox to the broker in the background; `stop()` the result to end."""
    from edge_agent.sync.runner import RunningSync

    running = RunningSync(agent, store, settings)
    running.start()
    return running
