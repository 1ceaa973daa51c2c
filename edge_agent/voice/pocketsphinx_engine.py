"""Pocketsphinx, the engine that works out of the box (its English model ships in the wheel).

Three searches over one acoustic model:

- commands: the device grammar (device_phrases.jsgf), exact and fast for the phrases it lists;
- phones: a free phone loop, the best the acoustics can do with no words at all;
- open: a trigram language model sampled from the same grammar (domain words in any order), or
  a configured ARPA/binary model for truly open vocabulary.

Commands and phones are decoded while the patient speaks (two decoders, fed the same frames),
so little is left at the end. Rejection rule: speech the grammar does not cover is still forced
onto some grammar path, whose acoustic score then falls below the phone loop's; when the
per-frame margin is below `rejection_margin`, the grammar's answer is rejected and the open
search's transcript is used instead. Both hypotheses are kept as alternatives. The margin
(-0.02) was chosen on the spoken evaluation: from -0.03 to -0.02 intent accuracy is flat and
best; stricter margins reject correct grammar matches.

A second opinion for the emergency rules: the grammar decoded once more over the whole
utterance with the cepstral mean of that utterance alone (`cmn=batch`), instead of the running
mean carried over from earlier speech. It is only an alternative (the emergency rules check
it), never the transcript: as the main path a per-utterance mean lowers intent accuracy, but it
hears some emergencies the running mean misses (measured in docs/voice.md). Its grammar lets a
hesitant start through: up to three fillers and a repeated "i" before a phrase ("um, er, I, I
fell over"), which the device grammar has no path for.

The running mean is the device's memory of its room, microphone and patient: given a
`means_file`, the engine starts from the means it saved when it last listened and saves them
after every utterance, so a restart (a power cut, an update) does not leave the first sentence
to be heard with the model's defaults (means saved by another pocketsphinx release are not
used). Measured on the 42 spoken emergencies of the tuning set:
after 12 everyday utterances a restarted engine heard as many as the engine before the
restart and wrote the same transcript for most, but not all: state the means do not hold is
lost (docs/voice.md, "Fourth round").
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import os
import tempfile
import time
from importlib.metadata import version
from importlib.resources import files
from pathlib import Path
from typing import Any

from edge_agent.voice.jsgf import parse_jsgf
from edge_agent.voice.language_model import build_arpa
from edge_agent.voice.stt import SAMPLE_RATE, Transcript, transcribe_with_stream

log = logging.getLogger(__name__)

LM_SENTENCES = 20_000
COMMANDS, PHONES, OPEN, ISOLATED = "commands", "phones", "open", "isolated"
# Fast single-pass decoding: the second passes cost more time than they gain on short phrases.
_DECODER_OPTIONS: dict[str, Any] = {
    "samprate": SAMPLE_RATE,
    "fwdflat": False,
    "bestpath": False,
    "loglevel": "FATAL",
}
# What saved running means are valid for: a restored mean must come from the same acoustic model
# and front end, or the first sentences are heard worse than with the model's own means.
MEANS_SOURCE = f"pocketsphinx {version('pocketsphinx')} en-us"


def _resource(name: str) -> str:
    return files("edge_agent.voice").joinpath(name).read_text(encoding="utf-8")


class PocketsphinxEngine:
    """Grammar mode for device phrases, open mode for free speech, and a rejection rule."""

    name = "pocketsphinx"

    def __init__(
        self,
        cache_dir: Path,
        *,
        rejection_margin: float = -0.02,
        open_language_model: Path | None = None,
        means_file: Path | None = None,
    ) -> None:
        from pocketsphinx import Decoder, get_model_path

        grammar_text = _resource("device_phrases.jsgf")
        model_dir = Path(get_model_path()) / "en-us"
        dictionary, arpa = self._domain_files(cache_dir, grammar_text, model_dir)
        acoustic = str(model_dir / "en-us")
        # lm=None: without it a decoder also loads the general English model (~46 MB).
        self._commands: Any = Decoder(
            hmm=acoustic, dict=str(dictionary), lm=None, **_DECODER_OPTIONS
        )
        self._commands.add_jsgf_string(COMMANDS, grammar_text)
        self._commands.activate_search(COMMANDS)
        open_dictionary = (
            dictionary if open_language_model is None else (model_dir / "cmudict-en-us.dict")
        )
        self._free: Any = Decoder(
            hmm=acoustic, dict=str(open_dictionary), lm=None, **_DECODER_OPTIONS
        )
        self._free.add_lm_file(OPEN, str(open_language_model or arpa))
        self._free.add_allphone_file(PHONES, str(model_dir / "en-us-phone.lm.bin"))
        # The second opinion's grammar search: on the free decoder, whose running mean only the
        # phone loop and the open search use (restoring the command decoder's changed what the
        # main path heard next: "help" as "hello").
        self._free.add_jsgf_string(ISOLATED, hesitant_grammar(grammar_text))
        self._free.activate_search(PHONES)
        # True between a stream's start and its finish (see `PocketsphinxStream`).
        self._utterance_open = False
        self.rejection_margin = rejection_margin
        self._means_file = means_file
        # Whether the last save failed, so that a read-only data dir warns once, not per utterance.
        self._save_failing = False
        # True when the engine started from the means saved by an earlier run.
        self.remembered_mean = self._restore_means()

    def _decoders(self) -> dict[str, Any]:
        return {"commands": self._commands, "free": self._free}

    def _restore_means(self) -> bool:
        """Start both decoders from the running means in `means_file`, if it holds good ones."""
        if self._means_file is None:
            return False
        decoders = self._decoders()
        try:
            saved = json.loads(self._means_file.read_text(encoding="utf-8"))
            source = saved.get("source") if isinstance(saved, dict) else None
            if source != MEANS_SOURCE:
                raise ValueError(f"saved by {source!r}, not by {MEANS_SOURCE!r}")
            means = {
                name: _checked_mean(saved[name], width=len(decoder.get_cmn().split(",")))
                for name, decoder in decoders.items()
            }
        except FileNotFoundError:
            return False
        except (OSError, ValueError, KeyError, TypeError) as exc:
            log.warning(
                "running means in %s not used (%s): listening starts from the model's",
                self._means_file,
                exc,
            )
            return False
        for name, decoder in decoders.items():
            decoder.set_cmn(means[name])
        return True

    def save_means(self) -> None:
        """Write both decoders' running means to `means_file` (whole or not at all)."""
        if self._means_file is None:
            return
        saved = {"source": MEANS_SOURCE}
        saved |= {name: decoder.get_cmn() for name, decoder in self._decoders().items()}
        try:
            self._means_file.parent.mkdir(parents=True, exist_ok=True)
            _write_whole(self._means_file, json.dumps(saved))
        except OSError as exc:
            # Listening goes on; only the next restart starts from older means.
            if not self._save_failing:
                log.warning("running means not saved to %s: %s", self._means_file, exc)
            self._save_failing = True
        else:
            if self._save_failing:
                log.info("running means saved to %s again", self._means_file)
            self._save_failing = False

    @staticmethod
    def _domain_files(cache_dir: Path, grammar_text: str, model_dir: Path) -> tuple[Path, Path]:
        """The restricted pronunciation dictionary and the domain LM, built once per grammar and
        set of extra pronunciations."""
        extra_pronunciations = _resource("extra_pronunciations.dict")
        digest = hashlib.sha256((grammar_text + extra_pronunciations).encode()).hexdigest()[:16]
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
        lines += extra_pronunciations.splitlines()
        known = {line.split(" ", 1)[0].split("(", 1)[0] for line in lines if line.strip()}
        missing = sorted(wanted - known)
        if missing:
            raise ValueError(f"device grammar words without a pronunciation: {missing}")
        _write_whole(dictionary, "\n".join(sorted(set(lines))) + "\n")
        _write_whole(arpa, build_arpa(grammar.sample(LM_SENTENCES)))
        return dictionary, arpa

    def open_stream(self) -> PocketsphinxStream:
        return PocketsphinxStream(self)

    def transcribe(self, pcm16: bytes, sample_rate: int = SAMPLE_RATE) -> Transcript:
        return transcribe_with_stream(self, pcm16, sample_rate)

    def decode_open(self, pcm16: bytes) -> list[str]:
        """The open search over a whole utterance (the fallback after a rejection)."""
        try:
            return _decode_whole(self._free, OPEN, pcm16)
        finally:
            self._free.activate_search(PHONES)

    def decode_isolated(self, pcm16: bytes) -> list[str]:
        """The grammar over a whole utterance with its own cepstral mean (the second opinion).

        The free decoder's running mean is saved and put back, so its next utterance is heard
        as if this pass had not run.
        """
        decoder = self._free
        running_mean = decoder.get_cmn()
        decoder.config["cmn"] = "batch"
        decoder.reinit_feat()
        try:
            return _decode_whole(decoder, ISOLATED, pcm16)
        finally:
            decoder.config["cmn"] = "live"
            decoder.reinit_feat()
            decoder.set_cmn(running_mean)
            decoder.activate_search(PHONES)


_PLAIN_START = "public <utterance> = [<opener>] <phrase> [<closer>];"
# Only in the second opinion: in the main grammar, more fillers cost false alarms and "call an
# ambulance" (docs/voice.md).
_HESITANT_START = (
    "public <utterance> = [<opener>] [<opener>] [<opener>] [i] [i] <phrase> [<closer>];"
)


def hesitant_grammar(grammar_text: str) -> str:
    """The device grammar with room for a hesitant start: up to three fillers and a repeated
    "i" before a phrase."""
    if _PLAIN_START not in grammar_text:
        raise ValueError("device grammar without its public rule " + _PLAIN_START)
    return grammar_text.replace(_PLAIN_START, _HESITANT_START)


def _decode_whole(decoder: Any, search: str, pcm16: bytes) -> list[str]:
    """The words `search` hears in one whole utterance (the caller restores the search)."""
    decoder.activate_search(search)
    decoder.start_utt()
    decoder.process_raw(pcm16, full_utt=True)
    decoder.end_utt()
    hypothesis = decoder.hyp()
    return hypothesis.hypstr.split() if hypothesis is not None else []


def _write_whole(path: Path, text: str) -> None:
    """Write `path` whole or not at all, even across a power cut; engines building the same cache
    at once (two simulated devices) each write a partial file of their own, and the last rename
    wins."""
    descriptor, partial = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    try:
        # mkstemp's files are private (0600); these hold nothing secret.
        os.fchmod(descriptor, 0o644)
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            file.write(text)
            file.flush()
            # Renamed before its data reached the disk, a power cut could leave the file empty.
            os.fsync(file.fileno())
        os.replace(partial, path)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise


def _checked_mean(value: object, *, width: int) -> str:
    """`value` if it is a running mean as pocketsphinx writes it: `width` finite numbers."""
    if not isinstance(value, str):
        raise TypeError(f"a running mean is a string, not {type(value).__name__}")
    numbers = [float(part) for part in value.split(",")]
    if len(numbers) != width or not all(math.isfinite(number) for number in numbers):
        raise ValueError(f"not a running mean of {width} numbers: {value!r}")
    return value


def _acoustic_score(decoder: Any) -> tuple[list[str], float | None]:
    hypothesis = decoder.hyp()
    if hypothesis is None or not hypothesis.hypstr:
        return [], None
    return hypothesis.hypstr.split(), float(sum(segment.ascore for segment in decoder.seg()))


class PocketsphinxStream:
    """Feeds both live decoders as audio arrives; decides at the end."""

    def __init__(self, engine: PocketsphinxEngine) -> None:
        self._engine = engine
        self._chunks: list[bytes] = []
        if engine._utterance_open:
            # The last stream was dropped unfinished (no speech came, or the turn failed): the
            # decoders refuse to start another utterance until that one is ended.
            engine._commands.end_utt()
            engine._free.end_utt()
        engine._commands.start_utt()
        engine._free.start_utt()
        engine._utterance_open = True

    def accept(self, pcm16: bytes) -> None:
        self._chunks.append(pcm16)
        self._engine._commands.process_raw(pcm16, False, False)
        self._engine._free.process_raw(pcm16, False, False)

    def finish(self) -> Transcript:
        started = time.perf_counter()
        engine = self._engine
        engine._commands.end_utt()
        engine._free.end_utt()
        engine._utterance_open = False
        frames = max(engine._commands.n_frames(), 1)
        grammar_words, grammar_score = _acoustic_score(engine._commands)
        _, phone_score = _acoustic_score(engine._free)
        margin = (
            (grammar_score - phone_score) / frames
            if grammar_score is not None and phone_score is not None
            else None
        )
        # The open search always runs too: its hypothesis is kept as an alternative, because the
        # emergency rules check every hypothesis (measured: two more spoken emergencies caught).
        audio = b"".join(self._chunks)
        open_text = " ".join(engine.decode_open(audio))
        isolated_text = " ".join(engine.decode_isolated(audio))
        grammar_text = " ".join(grammar_words)
        accepted = bool(grammar_words) and margin is not None and margin >= engine.rejection_margin
        text, mode = (grammar_text, COMMANDS) if accepted else (open_text, OPEN)
        others = list(
            dict.fromkeys(
                hypothesis
                for hypothesis in (grammar_text, open_text, isolated_text)
                if hypothesis and hypothesis != text
            )
        )
        transcript = Transcript(
            text=text,
            confidence=_confidence(margin),
            latency_ms=(time.perf_counter() - started) * 1000.0,
            engine=engine.name,
            mode=mode,
            alternatives=tuple(others),
        )
        engine.save_means()
        return transcript


def _confidence(margin: float | None) -> float:
    """The acoustic margin squashed into 0..1 (0.5 at a tie with the phone loop)."""
    if margin is None:
        return 0.0
    return round(min(max(0.5 + margin * 10.0, 0.0), 1.0), 3)
