"""Settings of the cloud's model runner for `/voice` (`MEDMIND_CLOUD_LLM_*`)."""

from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class CloudLlmSettings(BaseSettings):
    """Where the cloud's understanding finds a language model; unset: rules only."""

    model_config = SettingsConfigDict(
        env_prefix="MEDMIND_CLOUD_LLM_", env_file=".env", extra="ignore"
    )

    url: str | None = Field(
        default=None,
        description="Base URL of an OpenAI-compatible completions server that accepts a GBNF "
        "`grammar` (llama.cpp's server, or `python -m llama_cpp.server`), e.g. "
        "http://llm:8080. Unset: the cloud understands with rules only.",
    )
    model: str = Field(default="gemma-3-270m", description="Model name sent to the server.")
    api_key: SecretStr | None = None
    timeout_s: float = Field(default=10.0, gt=0, le=120)
