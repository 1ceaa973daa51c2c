"""The seam between the understanding and a language model: each side brings its own runner.

The device runs llama.cpp in process (`edge_agent.voice.llama_runner.LlamaCppRunner`); the cloud
may run llama.cpp too or call an OpenAI-compatible server. A runner gets the whole prompt (the
shared few-shot prefix never changes, so runners that cache a prefix reuse it) and an output
format in two spellings, and returns the raw completion with its cost.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable


@dataclass(frozen=True)
class CompletionRequest:
    """One completion to run: prompt, output format (GBNF and JSON Schema), length and stops."""

    prompt: str
    grammar: str
    json_schema: dict[str, Any]
    max_tokens: int
    stop: tuple[str, ...] = field(default=("\n",))


@dataclass(frozen=True)
class Completion:
    """What the model wrote, what it cost, and which model it was."""

    text: str
    prompt_tokens: int
    completion_tokens: int
    latency_ms: float
    model_name: str
    model_version: str


@runtime_checkable
class ModelRunner(Protocol):
    """Anything that can complete a prompt under a grammar."""

    def complete(self, request: CompletionRequest) -> Completion:
        """Run `request` and return the completion (raises on model failure)."""
        ...
