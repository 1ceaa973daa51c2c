"""The voice loop: the talk button starts a turn; a worker thread listens, the dialog answers.

The agent's talk handler only queues a request (it must not block the event loop). Each turn:
LED to listening, listen with end-pointing, LED back, understand and act, speak the reply; a
follow-up question listens once more without another press.
"""

from __future__ import annotations

import logging
import queue
import threading

from edge_agent.agent import Agent
from edge_agent.voice.dialog import DialogManager, HeardSpeech, Reply
from edge_agent.voice.endpointing import EndpointerConfig
from edge_agent.voice.listener import listen
from edge_agent.voice.microphone import Microphone
from edge_agent.voice.stt import SpeechToText

log = logging.getLogger(__name__)

MAX_FOLLOW_UPS = 1


class VoiceLoop:
    """Push-to-talk turns on a thread of their own."""

    def __init__(
        self,
        agent: Agent,
        microphone: Microphone,
        engine: SpeechToText,
        dialog: DialogManager,
        endpointing: EndpointerConfig | None = None,
    ) -> None:
        self.agent = agent
        self.microphone = microphone
        self.engine = engine
        self.dialog = dialog
        self.endpointing = endpointing or EndpointerConfig()
        self._requests: queue.Queue[bool] = queue.Queue()
        self._thread: threading.Thread | None = None

    def attach(self) -> None:
        """Make the talk button start a turn (on the worker thread)."""
        self.agent.set_talk_handler(self.request_turn)
        self._thread = threading.Thread(target=self._work, name="voice", daemon=True)
        self._thread.start()

    def detach(self) -> None:
        self.agent.set_talk_handler(None)
        if self._thread is not None:
            self._requests.put(False)
            self._thread.join(timeout=10)
            self._thread = None

    def request_turn(self) -> None:
        """Talk pressed: queue a turn and return at once."""
        self._requests.put(True)

    def converse(self) -> list[Reply]:
        """One turn (and its follow-ups) on the calling thread; returns the replies given."""
        replies: list[Reply] = []
        for _ in range(1 + MAX_FOLLOW_UPS):
            self.agent.set_listening(True)
            try:
                heard = listen(self.microphone, self.engine, self.endpointing)
            finally:
                self.agent.set_listening(False)
            if heard is None:
                if not replies:
                    self.agent.say(self.dialog.not_heard())
                return replies
            transcript = heard.transcript
            reply = self.dialog.handle(
                HeardSpeech(
                    text=transcript.text,
                    engine=transcript.engine,
                    stt_latency_ms=transcript.latency_ms,
                    alternatives=transcript.alternatives,
                    confidence=transcript.confidence,
                )
            )
            self.agent.say(reply.text)
            replies.append(reply)
            if not reply.expects_answer:
                break
        return replies

    def wait_until_idle(self) -> None:
        """Block until every requested turn has been handled (tests, the simulator)."""
        self._requests.join()

    def _work(self) -> None:
        while True:
            request = self._requests.get()
            try:
                if not request:
                    return
                self.converse()
            except Exception:
                # A broken turn must not end voice for the day; the button still works.
                log.exception("voice turn failed")
            finally:
                self._requests.task_done()
