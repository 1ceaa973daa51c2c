"""Pocketsphinx, the engine that works out of the box (its English model ships in the wheel).

Two searches over one acoustic model:

- "commands": the device grammar (device_phrases.jsgf), fed while the patient speaks; exact
  and fast for the phrases it lists.
- "open": a trigram language model sampled from the same grammar (domain words, any order), or
  a configured ARPA/binary model, decoded on the buffered utterance at the end.

Rejection rule: the grammar's answer is kept only when the open decoding agrees with it (at least
`rejection_threshold` of its words, in order); speech the grammar does not cover is forced onto
some grammar path, and the free decoding is what exposes that. Otherwise the open transcript
wins.
"""

from __future__ import annotations

import hashlib
import time
from importlib.resources import files
from pathlib import Path
from typing import Any

from edge_agent.voice.jsgf import parse_jsgf
from edge_agent.voice.language_model import build_arpa
from edge_agent.voice.stt import SAMPLE_RATE, Transcript, transcribe_with_stream

LM_SENTENCES = 20_000
COMMANDS, OPEN = "commands", "open"


def _resource(name: str) -> str:
    return files("edge_agent.voice").joinpath(name).read_text(encoding="utf-8")


def agreement(grammar_words: list[str], open_words: list[str]) -> float:
    """Share of the grammar hypothesis's words found, in order, in the open hypothesis."""
    if not grammar_words:
        return 0.0
    previous = [0] * (len(open_words) + 1)
    for word in grammar_words:
        current = [0]
        for index, other in enumerate(open_words):
            current.append(
                previous[index] + 1 if word == other else max(previous[index + 1], current[-1])
            )
        previous = current
    return previous[-1] / len(grammar_words)


class PocketsphinxEngine:
    """Grammar mode for device phrases, open mode for free speech, and a rejection rule."""

    name = "pocketsphinx"

    def __init__(
        self,
        cache_dir: Path,
        *,
        rejection_threshold: float = 0.6,
        open_language_model: Path | None = None,
    ) -> None:
        from pocketsphinx import Decoder, get_model_path

        grammar_text = _resource("device_phrases.jsgf")
        model_dir = Path(get_model_path()) / "en-us"
        dictionary, arpa = self._domain_files(cache_dir, grammar_text, model_dir)
        self._decoder: Any = Decoder(
            hmm=str(model_dir / "en-us"),
            dict=str(
                dictionary if open_language_model is None else model_dir / "cmudict-en-us.dict"
            ),
            lm=str(arpa if open_language_model is None else open_language_model),
            samprate=SAMPLE_RATE,
            loglevel="FATAL",
        )
        self._decoder.add_lm_file(
            OPEN, str(arpa if open_language_model is None else open_language_model)
        )
        self._decoder.add_jsgf_string(COMMANDS, grammar_text)
        self.rejection_threshold = rejection_threshold

    @staticmethod
    def _domain_files(cache_dir: Path, grammar_text: str, model_dir: Path) -> tuple[Path, Path]:
        """The restricted pronunciation dictionary and the domain LM, built once per grammar."""
        digest = hashlib.sha256(grammar_text.encode()).hexdigest()[:16]
        folder = cache_dir / f"pocketsphinx-{digest}"
        dictionary, arpa = folder / "domain.dict", folder / "domain.arpa"
        if dictionary.is_file() and arpa.is_file():
            return dictionary, arpa
        folder.mkdir(parents=True, exist_ok=True)
        grammar = parse_jsgf(grammar_text)
        wanted = grammar.vocabulary()
        lines = [
            line
            for line in (model_dir / "cmudict-en-us.dict").read_text(encoding="utf-8").splitlines()
            if line.split(" ", 1)[0].split("(", 1)[0] in wanted
        ]
        lines += _resource("extra_pronunciations.dict").splitlines()
        known = {line.split(" ", 1)[0].split("(", 1)[0] for line in lines if line.strip()}
        missing = sorted(wanted - known)
        if missing:
            raise ValueError(f"device grammar words without a pronunciation: {missing}")
        sentences = grammar.sample(LM_SENTENCES)
        dictionary.write_text("\n".join(sorted(set(lines))) + "\n", encoding="utf-8")
        arpa.write_text(build_arpa(sentences), encoding="utf-8")
        return dictionary, arpa

    def open_stream(self) -> PocketsphinxStream:
        return PocketsphinxStream(self)

    def transcribe(self, pcm16: bytes, sample_rate: int = SAMPLE_RATE) -> Transcript:
        return transcribe_with_stream(self, pcm16, sample_rate)

    def _decode(self, search: str, pcm16: bytes) -> list[str]:
        decoder = self._decoder
        decoder.activate_search(search)
        decoder.start_utt()
        decoder.process_raw(pcm16, full_utt=True)
        decoder.end_utt()
        hypothesis = decoder.hyp()
        return hypothesis.hypstr.split() if hypothesis is not None else []

    def _decide(self, grammar_words: list[str], open_words: list[str]) -> tuple[str, float, str]:
        score = agreement(grammar_words, open_words)
        if grammar_words and score >= self.rejection_threshold:
            return " ".join(grammar_words), score, COMMANDS
        if open_words:
            return " ".join(open_words), score, OPEN
        return "", 0.0, OPEN


class PocketsphinxStream:
    """Buffers the utterance; decodes both searches when it ends (each takes a few ms per s)."""

    def __init__(self, engine: PocketsphinxEngine) -> None:
        self._engine = engine
        self._chunks: list[bytes] = []

    def accept(self, pcm16: bytes) -> None:
        self._chunks.append(pcm16)

    def finish(self) -> Transcript:
        started = time.perf_counter()
        audio = b"".join(self._chunks)
        grammar_words = self._engine._decode(COMMANDS, audio)
        open_words = self._engine._decode(OPEN, audio)
        text, confidence, mode = self._engine._decide(grammar_words, open_words)
        hypotheses = {" ".join(grammar_words), " ".join(open_words)} - {text, ""}
        return Transcript(
            text=text,
            confidence=round(confidence, 3),
            latency_ms=(time.perf_counter() - started) * 1000.0,
            engine=self._engine.name,
            mode=mode,
            alternatives=tuple(sorted(hypotheses)),
        )
