"""`LlamaCppRunner`: the device's `ModelRunner`, llama.cpp in process via llama-cpp-python.

The prompt's few-shot prefix is the same on every call. llama-cpp-python keeps the tokens it
last evaluated and, on the next call, evaluates only those after the longest common prefix; so
`warm_up` evaluates the prefix once at start and each utterance then costs only its own tokens
and the short grammar-constrained answer.

Greedy decoding keeps only the `GRAMMAR_TOP_K` most likely tokens before the grammar filters
them. llama-cpp-python puts the grammar first, over gemma's whole 262,144-token vocabulary, at
every step: measured here that cost 30-150 ms per token and ~60 MB of peak memory; with the
top 1,024 candidates the answers were identical and a pass took 0.1-0.5 s instead of 0.6-8 s.
The few-shot prompt shows the format in every example, so grammar-legal tokens (punctuation,
single letters, the enum words) rank high at every step; in every pass of the evaluation runs
one was among the candidates.

The GGUF is read into memory (`use_mmap=False`), not mapped: llama.cpp repacks some weight
tensors (q4_K_8x8) into a buffer of its own, and with a mapping the original pages it read them
from stay resident too, ~13 MB of the process's peak RSS spent twice. Every other weight is
read at each token (the output layer is the 262k-token embedding), so mapping spares nothing.
"""

from __future__ import annotations

import gc
import time
from pathlib import Path
from typing import Any

from edge_agent.voice.model_files import GEMMA_PACKAGE_VERSION
from shared.understanding import PROMPT_PREFIX, Completion, CompletionRequest

GRAMMAR_TOP_K = 1024


def _llama_class() -> Any:
    from llama_cpp import Llama, _internals

    # Partly typed upstream; used only to build the sampler chain.
    internals: Any = _internals

    class TopKGrammarLlama(Llama):  # type: ignore[misc]
        """Greedy decoding with the grammar applied to the top candidates only."""

        def _init_sampler(self, *args: Any, **kwargs: Any) -> Any:
            grammar = kwargs.get("grammar")
            if grammar is None or kwargs.get("temp") != 0.0:
                return super()._init_sampler(*args, **kwargs)
            sampler = internals.LlamaSampler()
            sampler.add_top_k(GRAMMAR_TOP_K)
            sampler.add_grammar(self._model, grammar)
            sampler.add_greedy()
            return sampler

    return TopKGrammarLlama


class LlamaCppRunner:
    """Greedy, grammar-constrained completions from a local GGUF model."""

    def __init__(
        self,
        model_path: Path,
        *,
        n_ctx: int = 768,
        n_threads: int = 1,
        n_batch: int = 32,
        model_name: str | None = None,
        model_version: str = GEMMA_PACKAGE_VERSION,
    ) -> None:
        self._llama: Any = _llama_class()(
            model_path=str(model_path),
            n_ctx=n_ctx,
            n_threads=n_threads,
            n_threads_batch=n_threads,
            n_batch=n_batch,
            n_ubatch=n_batch,
            use_mmap=False,
            verbose=False,
        )
        self._grammars: dict[str, Any] = {}
        self.model_name = model_name or model_path.stem
        self.model_version = model_version

    def warm_up(self, prefix: str = PROMPT_PREFIX) -> None:
        """Evaluate the shared prompt prefix now, so the first utterance does not pay for it."""
        self._llama.reset()
        self._llama.eval(self._tokens(prefix))

    def cached_prefix_tokens(self, prompt: str) -> int:
        """How many leading tokens of `prompt` are already evaluated (and will be skipped)."""
        evaluated = self._llama._input_ids.tolist()
        return int(self._llama.longest_token_prefix(evaluated, self._tokens(prompt)))

    def _tokens(self, text: str) -> list[int]:
        # Tokenized exactly as create_completion does, so the cached prefix matches.
        return list(self._llama.tokenize(text.encode("utf-8"), add_bos=True, special=True))

    def complete(self, request: CompletionRequest) -> Completion:
        """Run `request` greedily under its GBNF grammar."""
        started = time.perf_counter()
        output = self._llama.create_completion(
            request.prompt,
            max_tokens=request.max_tokens,
            temperature=0.0,
            stop=list(request.stop),
            grammar=self._grammar(request.grammar),
        )
        # Each pass leaves its sampler chain (and the grammar state inside, ~3 MB) in reference
        # cycles; collecting now keeps the process flat instead of growing until the next GC.
        gc.collect()
        usage = output["usage"]
        return Completion(
            text=output["choices"][0]["text"].strip(),
            prompt_tokens=int(usage["prompt_tokens"]),
            completion_tokens=int(usage["completion_tokens"]),
            latency_ms=(time.perf_counter() - started) * 1000.0,
            model_name=self.model_name,
            model_version=self.model_version,
        )

    def _grammar(self, text: str) -> Any:
        # Parsing a grammar is cheap but not free; the understanding always sends the same one.
        if text not in self._grammars:
            from llama_cpp.llama_grammar import LlamaGrammar

            self._grammars[text] = LlamaGrammar.from_string(text, verbose=False)
        return self._grammars[text]
