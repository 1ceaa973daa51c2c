"""`CompletionsRunner`: the cloud's `ModelRunner`, an OpenAI-compatible completions server.

The understanding's prompt is a few-shot completion prompt for a base model and its output
format is a GBNF grammar, so the runner uses `POST /v1/completions` (not chat) and sends the
grammar in the `grammar` field, which llama.cpp's server and `llama_cpp.server` honour. Greedy
decoding (temperature 0) keeps answers repeatable. Server and network failures are raised as
`RuntimeError`, which the understanding treats as "no model answer": the rules decide.
"""

from __future__ import annotations

import time
from typing import Any

import httpx

from shared.understanding import Completion, CompletionRequest


class CompletionsRunner:
    """Grammar-constrained completions from an OpenAI-compatible server."""

    def __init__(
        self,
        base_url: str,
        model: str,
        *,
        api_key: str | None = None,
        timeout_s: float = 10.0,
    ) -> None:
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self.base_url = base_url.rstrip("/")
        self.model = model
        self._client = httpx.Client(base_url=self.base_url, headers=headers, timeout=timeout_s)

    def complete(self, request: CompletionRequest) -> Completion:
        """Run `request` on the server; `RuntimeError` if it fails or answers nonsense."""
        body = {
            "model": self.model,
            "prompt": request.prompt,
            "max_tokens": request.max_tokens,
            "temperature": 0.0,
            "stop": list(request.stop),
            "grammar": request.grammar,
        }
        started = time.perf_counter()
        try:
            response = self._client.post("/v1/completions", json=body)
            response.raise_for_status()
            data: dict[str, Any] = response.json()
            text = str(data["choices"][0]["text"])
        except (httpx.HTTPError, ValueError, KeyError, IndexError, TypeError) as exc:
            raise RuntimeError(f"model server {self.base_url}: {exc}") from exc
        latency_ms = (time.perf_counter() - started) * 1000.0
        usage = data.get("usage") or {}
        return Completion(
            text=text,
            prompt_tokens=int(usage.get("prompt_tokens", 0)),
            completion_tokens=int(usage.get("completion_tokens", 0)),
            latency_ms=latency_ms,
            model_name=str(data.get("model") or self.model),
            model_version=str(data.get("system_fingerprint") or "openai-compatible"),
        )
