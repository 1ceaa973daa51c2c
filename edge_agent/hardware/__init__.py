"""The device's buttons, status LED and buzzer through gpiozero (lgpio on a Pi, MockFactory in
tests and the simulator)."""

from edge_agent.hardware.panel import EdgeCallback, Hardware, LedStatus, make_pin_factory

__all__ = ["EdgeCallback", "Hardware", "LedStatus", "make_pin_factory"]
