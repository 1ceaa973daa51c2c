"""gpiozero devices of the bedside unit: taken/snooze/talk(/help) buttons, status LED, buzzer.

Buttons are wired to ground with the internal pull-up (pressed = low). Edges are handed to one
callback as (button, pressed); the agent turns them into presses and holds on its own clock, so
hold and debounce timing also work on the virtual clock. gpiozero's `bounce_time` still filters
contact bounce on real pins (lgpio); MockFactory pins do not implement it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from enum import StrEnum
from typing import Any

from gpiozero import LED, RGBLED, Buzzer
from gpiozero import Button as GpioButton

from edge_agent.config import GpioSettings
from shared.enums import Button

log = logging.getLogger(__name__)

EdgeCallback = Callable[[Button, bool], None]


class LedStatus(StrEnum):
    """What the status LED shows, by priority: listening > due > offline > idle."""

    IDLE = "idle"
    DUE = "due"
    OFFLINE = "offline"
    LISTENING = "listening"


RGB_COLOURS: dict[LedStatus, tuple[int, int, int]] = {
    LedStatus.IDLE: (0, 1, 0),
    LedStatus.DUE: (1, 1, 0),
    LedStatus.OFFLINE: (1, 0, 0),
    LedStatus.LISTENING: (0, 0, 1),
}
SINGLE_LED_ON = frozenset({LedStatus.DUE, LedStatus.LISTENING})


def make_pin_factory(kind: str) -> Any:
    """A gpiozero pin factory: 'mock' (MockFactory), 'lgpio', or None for gpiozero's default."""
    if kind == "mock":
        from gpiozero.pins.mock import MockFactory

        return MockFactory()
    if kind == "lgpio":
        from gpiozero.pins.lgpio import LGPIOFactory

        return LGPIOFactory()
    return None


class Hardware:
    """The gpiozero devices, built from the pin settings on the given pin factory."""

    def __init__(self, gpio: GpioSettings, pin_factory: Any = None, bounce_ms: int = 50) -> None:
        self.pin_factory = pin_factory
        bounce = bounce_ms / 1000.0 if bounce_ms else None
        pins = {Button.TAKEN: gpio.taken_pin, Button.SNOOZE: gpio.snooze_pin}
        pins[Button.TALK] = gpio.talk_pin
        if gpio.help_pin is not None:
            pins[Button.HELP] = gpio.help_pin
        self.buttons: dict[Button, GpioButton] = {
            name: GpioButton(pin, pull_up=True, bounce_time=bounce, pin_factory=pin_factory)
            for name, pin in pins.items()
        }
        self.rgb: RGBLED | None = None
        self.led: LED | None = None
        if gpio.rgb_pins is not None:
            red, green, blue = gpio.rgb_pins
            self.rgb = RGBLED(red, green, blue, pwm=False, pin_factory=pin_factory)
        elif gpio.led_pin is not None:
            self.led = LED(gpio.led_pin, pin_factory=pin_factory)
        self.buzzer = (
            Buzzer(gpio.buzzer_pin, pin_factory=pin_factory)
            if gpio.buzzer_pin is not None
            else None
        )
        self.status = LedStatus.IDLE
        self.show(LedStatus.IDLE)

    def on_edge(self, callback: EdgeCallback) -> None:
        """Call `callback(button, pressed)` on every press and release (from gpiozero's thread)."""
        for name, device in self.buttons.items():
            device.when_pressed = _bind(callback, name, True)
            device.when_released = _bind(callback, name, False)

    def show(self, status: LedStatus) -> None:
        """Set the status LED."""
        self.status = status
        if self.rgb is not None:
            self.rgb.color = RGB_COLOURS[status]
        elif self.led is not None:
            self.led.value = status in SINGLE_LED_ON

    def buzz(self, on: bool) -> None:
        if self.buzzer is not None:
            self.buzzer.value = on

    def button_pin(self, button: Button) -> Any:
        """The gpiozero pin of a button (tests and the simulator drive MockPins through it)."""
        return self.buttons[button].pin

    def close(self) -> None:
        for device in [*self.buttons.values(), self.rgb, self.led, self.buzzer]:
            if device is not None:
                device.close()


def _bind(callback: EdgeCallback, button: Button, pressed: bool) -> Callable[[], None]:
    def fire() -> None:
        callback(button, pressed)

    return fire
