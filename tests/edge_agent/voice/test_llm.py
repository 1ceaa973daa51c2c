"""The llama.cpp runner on the packaged gemma model: grammar-bound output, prefix reuse."""

from __future__ import annotations

import json
from pathlib import Path

from edge_agent.voice.llama_runner import LlamaCppRunner
from shared.enums import Intent
from shared.understanding import (
    OUTPUT_GRAMMAR,
    OUTPUT_JSON_SCHEMA,
    CompletionRequest,
    build_prompt,
    understand,
)
from shared.understanding.combine import MAX_OUTPUT_TOKENS


def request(text: str) -> CompletionRequest:
    return CompletionRequest(
        build_prompt(text), OUTPUT_GRAMMAR, OUTPUT_JSON_SCHEMA, MAX_OUTPUT_TOKENS
    )


def test_the_output_is_json_in_the_grammar(llama_runner: LlamaCppRunner) -> None:
    completion = llama_runner.complete(request("my tummy is doing somersaults"))

    data = json.loads(completion.text)
    assert data["intent"] in {intent.value for intent in Intent}
    assert set(data) <= set(OUTPUT_JSON_SCHEMA["properties"])
    assert completion.model_name == "gemma-3-270m-q4_k_m-ascii.gguf"
    assert completion.completion_tokens > 0


def test_the_shared_prefix_is_evaluated_once_and_reused(llama_runner: LlamaCppRunner) -> None:
    llama_runner.complete(request("first utterance"))
    prefix_tokens = llama_runner.cached_prefix_tokens(request("second utterance").prompt)

    assert prefix_tokens > 400  # the few-shot prefix is ~440 tokens


def test_understand_with_the_model_records_the_pass(llama_runner: LlamaCppRunner) -> None:
    outcome = understand("my tummy is doing somersaults", llama_runner, paraphrases=False)

    assert outcome.llm_call is not None
    assert outcome.llm_call.model_version == "1.0.0"
    assert outcome.llm_call.prompt_tokens > 400


def test_the_model_is_read_into_memory_not_mapped(llama_runner: LlamaCppRunner) -> None:
    # A mapping would keep the pages of the repacked tensors resident a second time.
    mapped = Path("/proc/self/maps").read_text(encoding="utf-8")

    assert ".gguf" not in mapped
