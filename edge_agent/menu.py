"""The as-needed button sequence: hold taken to open it, snooze steps through the as-needed
medications, taken confirms the one named; it closes by itself after a quiet while."""

from __future__ import annotations

from collections.abc import Callable

from edge_agent.actions import Actions
from edge_agent.loop import EventLoop, TimerHandle
from shared.enums import Button, DoseSource
from shared.plan import PlanItem


class AsNeededMenu:
    """Modal state of the as-needed sequence (used on the device's loop, under its lock)."""

    def __init__(
        self,
        actions: Actions,
        *,
        say: Callable[[str], None],
        loop: EventLoop,
        timeout_s: float,
    ) -> None:
        self.actions = actions
        self.say = say
        self.loop = loop
        self.timeout_s = timeout_s
        self._items: list[PlanItem] = []
        self._index = 0
        self._timeout: TimerHandle | None = None

    @property
    def is_open(self) -> bool:
        return bool(self._items)

    def open(self) -> None:
        items = self.actions.as_needed_items()
        if not items:
            self.say("You have no as-needed medication.")
            return
        self._items, self._index = items, 0
        self._offer()

    def press(self, button: Button) -> None:
        item = self._items[self._index]
        if button is Button.TAKEN:
            self.close()
            self.say(self.actions.take_as_needed(item.medication_name, DoseSource.BUTTON).text)
            return
        self._index += 1
        if self._index >= len(self._items):
            self.close()
            self.say("Nothing taken.")
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
        self.say(
            f"{item.medication_name}, {item.dose:g} {item.unit}, as needed. "
            f"Press taken to take it, or {more}."
        )
        if self._timeout is not None:
            self._timeout.cancel()
        self._timeout = self.loop.call_later(self.timeout_s, self._expire)

    def _expire(self) -> None:
        with self.actions.context.lock:
            self._timeout = None
            if self.is_open:
                self._items = []
                self.say("Nothing taken.")
