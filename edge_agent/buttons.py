"""Turns button edges into presses and holds on the agent's clock (debounced, hold thresholds).

A press counts on release; a hold fires as soon as the button has been down long enough, and
its release is then ignored. Edges closer together than the debounce time are contact bounce.
"""

from __future__ import annotations

from collections.abc import Callable

from edge_agent.config import ReminderPolicy
from edge_agent.loop import EventLoop, TimerHandle
from shared.enums import Button


class ButtonInput:
    """Per-button press/hold detection; call `edge()` on the loop thread."""

    def __init__(
        self,
        loop: EventLoop,
        policy: ReminderPolicy,
        on_press: Callable[[Button], None],
        on_hold: Callable[[Button, float], None],
    ) -> None:
        self.loop = loop
        self.policy = policy
        self.on_press = on_press
        self.on_hold = on_hold
        self._last_edge: dict[Button, float] = {}
        self._hold_timers: dict[Button, TimerHandle] = {}
        self._held: set[Button] = set()

    def hold_threshold(self, button: Button) -> float | None:
        """Seconds a button must stay down to count as held (None: it has no hold action)."""
        return {
            Button.TAKEN: self.policy.as_needed_hold_s,
            Button.SNOOZE: self.policy.skip_hold_s,
            Button.TALK: self.policy.help_hold_s,
        }.get(button)

    def edge(self, button: Button, pressed: bool) -> None:
        """A button went down (`pressed`) or up."""
        now = self.loop.clock.monotonic()
        last = self._last_edge.get(button)
        if last is not None and now - last < self.policy.debounce_ms / 1000.0:
            return
        self._last_edge[button] = now
        if pressed:
            self._down(button)
        else:
            self._up(button)

    def _down(self, button: Button) -> None:
        if button in self._hold_timers:
            return
        threshold = self.hold_threshold(button)
        if threshold is None:
            self._hold_timers[button] = TimerHandle(lambda: None)
            return

        def held() -> None:
            self._held.add(button)
            self.on_hold(button, threshold)

        self._hold_timers[button] = self.loop.call_later(threshold, held)

    def _up(self, button: Button) -> None:
        timer = self._hold_timers.pop(button, None)
        if timer is None:
            return
        timer.cancel()
        if button in self._held:
            self._held.discard(button)
            return
        self.on_press(button)
