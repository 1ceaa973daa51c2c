"""The patient's voice in a simulation: typed text becomes speech the device really hears.

A `VoiceDriver` makes the device listen to a sentence: it presses talk, and the device's
microphone is fed the sentence spoken by espeak-ng (or a WAV file), so the words go through the
device's real speech-to-text, understanding and dialog.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from shared.enums import Button

if TYPE_CHECKING:
    from edge_agent.agent import Agent


class HearingDevice(Protocol):
    """What a voice uses of a simulated device: its agent and its buttons."""

    @property
    def agent(self) -> Agent: ...

    def press(self, button: Button) -> None: ...


class VoiceDriver(Protocol):
    """Makes a device hear a sentence."""

    def say(self, device: HearingDevice, text: str) -> None:
        """The patient says `text` to `device` (talk button, then speech)."""
        ...

    def close(self) -> None:
        """Release the speech recogniser and the audio pipeline."""
        ...


def voice_cache_dir() -> Path:
    """Where the speech models assembled for simulated devices are kept between runs."""
    return Path.home() / ".cache" / "medmind" / "sim-voice"


class SpokenVoice:
    """The device's own voice path, fed by a virtual microphone.

    `say()` queues the sentence on the microphone (espeak-ng speech, or a WAV), then presses
    talk. The turn runs on the pressing thread rather than the voice loop's worker, so by the
    time the press returns the device has listened, understood, acted and answered: a scenario
    on the virtual clock can move on at once. Everything inside the turn is the production code
    (end-pointing, speech-to-text, understanding, dialog, actions, outbox).
    """

    def __init__(self, device: HearingDevice, *, llm: bool = False) -> None:
        from edge_agent.voice.factory import build_voice_loop
        from edge_agent.voice.microphone import VirtualMicrophone
        from edge_agent.voice.settings import VoiceSettings

        settings = VoiceSettings(data_dir=voice_cache_dir(), llm_enabled=llm)
        self.microphone = VirtualMicrophone()
        self.loop = build_voice_loop(device.agent, settings, microphone=self.microphone)
        self.agent = device.agent
        device.agent.set_talk_handler(self._turn)

    def _turn(self) -> None:
        self.loop.converse()

    def say(self, device: HearingDevice, text: str) -> None:
        self.microphone.say(text)
        device.press(Button.TALK)

    def play(self, device: HearingDevice, wav: bytes) -> None:
        """The patient's words as a recording (a WAV file's bytes)."""
        self.microphone.play_wav(wav)
        device.press(Button.TALK)

    def close(self) -> None:
        self.agent.set_talk_handler(None)
        self.microphone.close()
