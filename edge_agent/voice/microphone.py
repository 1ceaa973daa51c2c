"""Microphones: arecord on its own thread (the device), and a virtual one (tests, simulator).

Both yield 30 ms frames of 16 kHz mono PCM16 from `frames()`; `close()` ends capture.
"""

from __future__ import annotations

import queue
import subprocess
import threading
from collections import deque
from collections.abc import Iterator
from typing import Protocol

from edge_agent.voice.audio import FRAME_BYTES, frames, silence, speak_to_pcm16, wav_to_pcm16
from edge_agent.voice.stt import SAMPLE_RATE


class Microphone(Protocol):
    def frames(self) -> Iterator[bytes]:
        """30 ms frames until capture is closed (or, for a clip, until it runs out)."""
        ...

    def close(self) -> None: ...


class ArecordMicrophone:
    """Captures with `arecord` (alsa-utils); a reader thread queues frames as they arrive."""

    def __init__(self, device: str | None = None) -> None:
        command = ["arecord", "-q", "-f", "S16_LE", "-r", str(SAMPLE_RATE), "-c", "1", "-t", "raw"]
        if device:
            command += ["-D", device]
        self._process = subprocess.Popen(command, stdout=subprocess.PIPE)
        self._queue: queue.Queue[bytes | None] = queue.Queue(maxsize=1000)
        self._thread = threading.Thread(target=self._read, name="microphone", daemon=True)
        self._thread.start()

    def _read(self) -> None:
        stream = self._process.stdout
        assert stream is not None
        while True:
            frame = stream.read(FRAME_BYTES)
            if len(frame) < FRAME_BYTES:
                self._queue.put(None)
                return
            self._queue.put(frame)

    def frames(self) -> Iterator[bytes]:
        while (frame := self._queue.get()) is not None:
            yield frame

    def close(self) -> None:
        self._process.terminate()
        self._process.wait(timeout=5)


class VirtualMicrophone:
    """Plays queued clips (WAV bytes, raw PCM or text spoken by espeak-ng) as frames.

    Each clip is framed with silence before and after, so end-pointing sees a real pause; the
    frames come out at once (no real-time pacing), so tests never wait.
    """

    def __init__(self, lead_silence_ms: int = 300, tail_silence_ms: int = 1500) -> None:
        self._clips: deque[bytes] = deque()
        self._lock = threading.Lock()
        self.lead_silence_ms = lead_silence_ms
        self.tail_silence_ms = tail_silence_ms

    def play_pcm(self, pcm16: bytes) -> None:
        with self._lock:
            self._clips.append(pcm16)

    def play_wav(self, wav: bytes) -> None:
        self.play_pcm(wav_to_pcm16(wav))

    def say(self, text: str, *, voice: str = "en-us", words_per_minute: int = 150) -> None:
        """Queue `text` as espeak-ng speech."""
        self.play_pcm(speak_to_pcm16(text, voice=voice, words_per_minute=words_per_minute))

    @property
    def pending(self) -> int:
        return len(self._clips)

    def frames(self) -> Iterator[bytes]:
        """The next clip's frames (silence only when nothing is queued)."""
        with self._lock:
            clip = self._clips.popleft() if self._clips else b""
        audio = silence(self.lead_silence_ms) + clip + silence(self.tail_silence_ms)
        yield from frames(audio)

    def close(self) -> None:
        with self._lock:
            self._clips.clear()
