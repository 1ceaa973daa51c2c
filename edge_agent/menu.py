"""The as-needed button sequence: hold taken to open it, snooze steps through the as-needed
medications, taken confirms the one named; it closes by itself after a quiet while."""

from __future__ import annotations

from typing import TYPE_CHECKING

from edge_agent.loop import TimerHandle
from shared.enums import Button, DoseSource
from shared.plan import PlanItem

if TYPE_CHECKING:
    from edge_agent.agent import Agent


class AsNeededMenu:
    """Modal state of the as-needed sequence (used on the agent's loop, under its lock)."""

    def __init__(self, agent: Agent) -> None:
        self.agent = agent
        self._items: list[PlanItem] = []
        self._index = 0
        self._timeout: TimerHandle | None = None

    @property
    def is_open(self) -> bool:
        return bool(self._items)

    def open(self) -> None:
        plan = self.agent.store.current_plan()
        items = [item for item in plan.items if item.as_needed] if plan else []
        if not items:
            self.agent.say("You have no as-needed medication.")
            return
        self._items, self._index = items, 0
        self._offer()

    def press(self, button: Button) -> None:
        item = self._items[self._index]
        if button is Button.TAKEN:
            self.close()
            self.agent.say(
                self.agent.actions.take_as_needed(item.medication_name, DoseSource.BUTTON).text
            )
            return
        self._index += 1
        if self._index >= len(self._items):
            self.close()
            self.agent.say("Nothing taken.")
            return
        self._offer()

    def close(self) -> None:
        self._items = []
        if self._timeout is not None:
            self._timeout.cancel()
            self._timeout = None

    def _offer(self) -> None:
        item = self._items[self._index]
        more = (
            "snooze for the next one" if self._index + 1 < len(self._items) else "snooze to cancel"
        )
        self.agent.say(
            f"{item.medication_name}, {item.dose:g} {item.unit}, as needed. "
            f"Press taken to take it, or {more}."
        )
        if self._timeout is not None:
            self._timeout.cancel()
        self._timeout = self.agent.loop.call_later(
            self.agent.settings.reminders.menu_timeout_s, self._expire
        )

    def _expire(self) -> None:
        with self.agent.lock:
            self._timeout = None
            if self.is_open:
                self._items = []
                self.agent.say("Nothing taken.")
