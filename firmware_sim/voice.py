"""The patient's voice in a simulation: typed text becomes speech the device really hears.

A `VoiceDriver` makes the device listen to a sentence: it presses talk, and the device's
microphone is fed the sentence spoken by espeak-ng (or a WAV file), so the words go through the
device's real speech-to-text, understanding and dialog.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from firmware_sim.device import VirtualDevice


class VoiceDriver(Protocol):
    """Makes a device hear a sentence."""

    def say(self, device: VirtualDevice, text: str) -> None:
        """The patient says `text` to `device` (talk button, then speech)."""
        ...

    def close(self) -> None:
        """Release the speech recogniser and the audio pipeline."""
        ...
