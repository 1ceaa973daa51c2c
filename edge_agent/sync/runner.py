"""Wires the MQTT sync to a running agent: outbox wake-ups, LED state, heartbeats, sync now."""

from __future__ import annotations

from typing import TYPE_CHECKING

from edge_agent.store import Store
from edge_agent.sync.client import DeviceSync
from edge_agent.sync.heartbeat import Heartbeat
from edge_agent.sync.settings import SyncSettings

if TYPE_CHECKING:
    from edge_agent.agent import Agent


class RunningSync:
    """The sync of one agent: a `DeviceSync` plus its heartbeat on the agent's loop."""

    def __init__(self, agent: Agent, store: Store, settings: SyncSettings) -> None:
        self.sync = DeviceSync(
            agent.settings.device_id,
            store,
            agent,
            settings,
            on_connection_change=agent.set_online,
        )
        self.heartbeat = Heartbeat(
            agent.loop,
            store,
            agent.clock,
            settings,
            is_connected=self.sync.connected.is_set,
            clock_synced=agent.clock_health.synced,
        )
        self._agent = agent

    def start(self) -> None:
        """Start the network and pump threads and the heartbeat timer."""
        self._agent.add_outbox_listener(self.sync.wake)
        self._agent.add_sync_now_listener(self.sync.resend_all)
        self.sync.start()
        self.heartbeat.start()

    def stop(self) -> None:
        """Stop heartbeats, mark the device offline and disconnect."""
        self.heartbeat.stop()
        self.sync.stop()


def start_sync(agent: Agent, store: Store, settings: SyncSettings) -> RunningSync:
    """Connect `agent`'s outbox to the broker in the background; `stop()` the result to end."""
    running = RunningSync(agent, store, settings)
    running.start()
    return running
