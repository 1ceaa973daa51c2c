"""Building the voice part from settings: engine, model runner, dialog and loop."""

from __future__ import annotations

import logging
import subprocess
from pathlib import Path

from edge_agent.agent import Agent
from edge_agent.voice.dialog import DialogManager
from edge_agent.voice.endpointing import EndpointerConfig
from edge_agent.voice.microphone import ArecordMicrophone, Microphone
from edge_agent.voice.settings import VoiceSettings
from edge_agent.voice.stt import SpeechToText
from edge_agent.voice.voice_loop import VoiceLoop
from shared.understanding import ModelRunner

log = logging.getLogger(__name__)


# Where the device keeps its memory of how its patient sounds (in the agent's data dir).
MEANS_FILE = "listening-means.json"


def build_engine(settings: VoiceSettings, *, means_file: Path | None = None) -> SpeechToText:
    """The configured speech-to-text engine (vosk needs `vosk_model_path`).

    With `means_file`, the device's engine, attuned before the patient's first sentence:
    pocketsphinx starts from the running means it saved there when it last listened (and keeps
    saving them); the first time, with none saved, it is warmed up. Without it (evaluations,
    benches) every engine starts alike, so results repeat.
    """
    if settings.stt_engine == "vosk":
        if settings.vosk_model_path is None:
            raise ValueError("stt_engine is vosk but MEDMIND_VOICE_VOSK_MODEL_PATH is not set")
        from edge_agent.voice.vosk_engine import VoskEngine

        vosk = VoskEngine(settings.vosk_model_path)
        if means_file is not None:
            warm_up_engine(vosk)
        return vosk
    from edge_agent.voice.pocketsphinx_engine import PocketsphinxEngine

    engine = PocketsphinxEngine(
        settings.data_dir / "stt", rejection_margin=settings.rejection_margin, means_file=means_file
    )
    if means_file is not None and not engine.remembered_mean:
        warm_up_engine(engine)
    return engine


WARM_UP_SENTENCE = "good morning, what time is it"


def warm_up_engine(engine: SpeechToText) -> None:
    """Let the recogniser hear one sentence before the patient's first.

    pocketsphinx's running cepstral mean starts from defaults and misreads a cold first
    sentence ("I have a bad headache" heard as "i do not want to take it"); one spoken sentence
    at start settles it. Without espeak-ng the engine starts cold, which is logged.
    """
    from edge_agent.voice.audio import speak_to_pcm16

    try:
        engine.transcribe(speak_to_pcm16(WARM_UP_SENTENCE))
    except (OSError, subprocess.CalledProcessError) as exc:
        log.warning("speech recogniser not warmed up (espeak-ng unavailable: %s)", exc)


def build_runner(settings: VoiceSettings) -> ModelRunner | None:
    """The llama.cpp runner with its prompt prefix evaluated, or None when disabled."""
    if not settings.llm_enabled:
        return None
    from edge_agent.voice.llama_runner import LlamaCppRunner
    from edge_agent.voice.model_files import ensure_llm_model

    path = ensure_llm_model(settings)
    runner = LlamaCppRunner(
        path,
        n_ctx=settings.llm_n_ctx,
        n_threads=settings.llm_n_threads,
        n_batch=settings.llm_n_batch,
        model_name=path.name if settings.llm_model_path is None else None,
    )
    runner.warm_up()
    return runner


def endpointer_config(settings: VoiceSettings) -> EndpointerConfig:
    return EndpointerConfig(
        aggressiveness=settings.vad_aggressiveness,
        end_silence_ms=settings.end_silence_ms,
        max_utterance_s=settings.max_utterance_s,
        no_speech_timeout_s=settings.no_speech_timeout_s,
    )


def build_voice_loop(
    agent: Agent,
    settings: VoiceSettings,
    *,
    microphone: Microphone | None = None,
    engine: SpeechToText | None = None,
    runner: ModelRunner | None = None,
) -> VoiceLoop:
    """A voice loop for `agent` (not yet attached): real microphone unless one is given.

    An engine built here is the device's, its running means kept in the agent's data dir
    (`build_engine`); one passed in is used as it is.
    """
    if engine is None:
        engine = build_engine(settings, means_file=agent.settings.data_dir / MEANS_FILE)
    if runner is None:
        runner = build_runner(settings)
    dialog = DialogManager(
        agent.actions, agent.clock, timers=agent.loop, say=agent.say, runner=runner
    )
    agent.add_emergency_listener(dialog.help_given)
    return VoiceLoop(
        agent,
        microphone or ArecordMicrophone(settings.input_device),
        engine,
        dialog,
        endpointer_config(settings),
    )
