"""What the agent asks of a speaker and of a speech synthesizer."""

from __future__ import annotations

from typing import Protocol


class Speaker(Protocol):
    """Says things one after another, never over each other."""

    def say(self, text: str, *, volume: int) -> None:
        """Queue `text` to be spoken at `volume` (0-100); returns without waiting."""
        ...

    def close(self) -> None:
        """Finish what is queued and release the audio device."""
        ...


class Synthesizer(Protocol):
    """Turns text into a WAV file's bytes."""

    name: str

    def synthesize(self, text: str, *, volume: int) -> bytes: ...
