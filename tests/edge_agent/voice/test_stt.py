"""Pocketsphinx on espeak-ng speech: device phrases in grammar mode, others rejected to the
open mode, and emergencies still understood once heard."""

from __future__ import annotations

from pathlib import Path

import pytest

from edge_agent.voice import pocketsphinx_engine as engine_module
from edge_agent.voice.audio import speak_to_pcm16
from edge_agent.voice.endpointing import EndpointerConfig
from edge_agent.voice.jsgf import parse_jsgf
from edge_agent.voice.language_model import build_arpa
from edge_agent.voice.listener import listen
from edge_agent.voice.microphone import VirtualMicrophone
from edge_agent.voice.pocketsphinx_engine import PocketsphinxEngine
from shared.enums import Intent
from shared.understanding import understand


@pytest.mark.parametrize(
    "said", ["I took my pills", "I can't breathe", "did I take my morning pills"]
)
def test_device_phrases_are_recognised_exactly(
    pocketsphinx_engine: PocketsphinxEngine, said: str
) -> None:
    transcript = pocketsphinx_engine.transcribe(speak_to_pcm16(said))

    assert transcript.text.replace("cannot", "can't") == said.lower()
    assert transcript.engine == "pocketsphinx"


def test_speech_outside_the_grammar_is_rejected_to_the_open_mode(
    pocketsphinx_engine: PocketsphinxEngine,
) -> None:
    transcript = pocketsphinx_engine.transcribe(
        speak_to_pcm16("my grandson plays football on Sundays")
    )

    assert transcript.mode == "open"


MISHEARD_AFTER_SOME_SPEECH = pytest.mark.xfail(
    strict=True,
    reason="espeak-ng's 'call an ambulance' is heard as 'hello ...' by an engine restarted from "
    "these means, though the engine that heard the speech itself hears it right: the restart "
    "loses decoder state the means do not hold (docs/voice.md, 'Fourth round')",
)


@pytest.mark.parametrize(
    "said",
    [
        "help",
        "I fell down",
        "my chest hurts",
        pytest.param("call an ambulance", marks=MISHEARD_AFTER_SOME_SPEECH),
    ],
)
def test_spoken_emergencies_are_understood(
    pocketsphinx_engine: PocketsphinxEngine, said: str
) -> None:
    transcript = pocketsphinx_engine.transcribe(speak_to_pcm16(said))

    result = understand(transcript.text, alternatives=transcript.alternatives).understanding
    assert result.intent is Intent.EMERGENCY, transcript


def test_the_same_words_are_spoken_as_the_same_samples() -> None:
    # Simulated speech must be repeatable, or the recogniser's answers change run to run.
    assert speak_to_pcm16("I fell down") == speak_to_pcm16("I fell down")


def test_a_turn_that_heard_no_speech_does_not_break_the_next_one(
    pocketsphinx_engine: PocketsphinxEngine,
) -> None:
    # The listener drops its stream unfinished when the patient says nothing; the decoders
    # used to stay mid-utterance and refuse every later turn of the day.
    listen(VirtualMicrophone(), pocketsphinx_engine, EndpointerConfig(no_speech_timeout_s=0.3))

    transcript = pocketsphinx_engine.transcribe(speak_to_pcm16("I took my pills"))

    assert transcript.text == "i took my pills"


def test_the_domain_language_model_is_a_valid_arpa_file_over_the_grammar_words() -> None:
    grammar = parse_jsgf("#JSGF V1.0;\ngrammar g;\npublic <a> = i took (my | the) pills [now];")
    arpa = build_arpa(grammar.sample(200))

    assert arpa.startswith("\\data\\\nngram 1=8\n")
    assert "\t".join(["-99.0000", "<s>"]) in arpa
    assert grammar.vocabulary() == {"i", "took", "my", "the", "pills", "now"}
    assert arpa.rstrip().endswith("\\end\\")


def test_a_freshly_built_recogniser_hears_the_patients_first_sentence(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    from edge_agent.voice.factory import warm_up_engine

    engine = PocketsphinxEngine(tmp_path_factory.mktemp("cold-stt"))
    warm_up_engine(engine)
    heard = engine.transcribe(speak_to_pcm16("I have a bad headache")).text
    assert "headache" in heard, f"the first sentence after start-up was heard as {heard!r}"


SKEWED_RUNNING_MEAN = "60,3,-1,0,0,0,0,0,0,0,0,0,0"


def test_an_emergency_misheard_under_a_skewed_running_mean_is_still_caught(
    pocketsphinx_engine: PocketsphinxEngine,
) -> None:
    # The running cepstral mean carries over from earlier speech; skewed, it makes the main
    # path hear "I have chest pain" as something harmless. The second pass, with the
    # utterance's own mean, still hears it, and the emergency rules check that hypothesis too.
    pocketsphinx_engine._commands.set_cmn(SKEWED_RUNNING_MEAN)
    pocketsphinx_engine._free.set_cmn(SKEWED_RUNNING_MEAN)

    transcript = pocketsphinx_engine.transcribe(speak_to_pcm16("I have chest pain"))

    assert understand(transcript.text).understanding.intent is not Intent.EMERGENCY, transcript
    assert "i have chest pain" in transcript.alternatives
    result = understand(transcript.text, alternatives=transcript.alternatives).understanding
    assert result.intent is Intent.EMERGENCY


def test_the_second_pass_leaves_the_running_mean_for_the_next_utterance(
    pocketsphinx_engine: PocketsphinxEngine,
) -> None:
    free = pocketsphinx_engine._free
    before = free.get_cmn()

    words = pocketsphinx_engine.decode_isolated(speak_to_pcm16("I have chest pain"))

    assert words == ["i", "have", "chest", "pain"]
    assert free.get_cmn() == before
    assert free.config["cmn"] == "live"
    assert pocketsphinx_engine.transcribe(speak_to_pcm16("I took my pills")).text == (
        "i took my pills"
    )


def test_new_extra_pronunciations_rebuild_the_domain_dictionary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The domain files are cached by content; an added pronunciation must not be ignored.
    from pocketsphinx import get_model_path

    model_dir = Path(get_model_path()) / "en-us"
    grammar = "#JSGF V1.0;\ngrammar g;\npublic <a> = i fell;"
    before, _ = PocketsphinxEngine._domain_files(tmp_path, grammar, model_dir)
    packaged = engine_module._resource

    def with_one_more(name: str) -> str:
        added = "fell(9) F EH L L\n" if name == "extra_pronunciations.dict" else ""
        return packaged(name) + added

    monkeypatch.setattr(engine_module, "_resource", with_one_more)
    after, _ = PocketsphinxEngine._domain_files(tmp_path, grammar, model_dir)

    assert after != before
    assert "fell(9) F EH L L" in after.read_text(encoding="utf-8").splitlines()
    assert "fell(9) F EH L L" not in before.read_text(encoding="utf-8").splitlines()


@pytest.mark.parametrize("voice", ["en-us", "en"])
def test_a_short_i_fell_is_heard_with_its_dark_l(
    pocketsphinx_engine: PocketsphinxEngine, voice: str
) -> None:
    # With only "F EH L", the dark L made every pass hear "I fell" as "i threw up".
    transcript = pocketsphinx_engine.transcribe(speak_to_pcm16("I fell", voice=voice))

    result = understand(transcript.text, alternatives=transcript.alternatives).understanding
    assert result.intent is Intent.EMERGENCY, transcript


def test_the_second_pronunciation_does_not_turn_i_threw_up_into_a_fall(
    pocketsphinx_engine: PocketsphinxEngine,
) -> None:
    transcript = pocketsphinx_engine.transcribe(speak_to_pcm16("I threw up"))

    hypotheses = (transcript.text, *transcript.alternatives)
    assert not any("fell" in hypothesis for hypothesis in hypotheses), transcript
    result = understand(transcript.text, alternatives=transcript.alternatives).understanding
    assert result.intent is not Intent.EMERGENCY, transcript


def test_the_second_opinion_hears_an_emergency_after_a_hesitant_start(
    pocketsphinx_engine: PocketsphinxEngine,
) -> None:
    # "um, er, I, I fell over" has no path in the device grammar (one filler, one "i"), and the
    # main path and the open search heard "um there's i i threw air". The second opinion's
    # grammar lets up to three fillers and a repeated "i" through; it uses the utterance's own
    # cepstral mean, so what it hears does not depend on what came before.
    words = pocketsphinx_engine.decode_isolated(speak_to_pcm16("um, er, I, I fell over"))

    assert words[-4:] == ["i", "i", "fell", "over"], words
    result = understand(" ".join(words)).understanding
    assert result.intent is Intent.EMERGENCY


def test_only_the_second_opinion_gets_the_hesitant_start() -> None:
    grammar = engine_module._resource("device_phrases.jsgf")

    hesitant = engine_module.hesitant_grammar(grammar)

    assert "[<opener>] [<opener>] [<opener>] [i] [i] <phrase>" in hesitant
    assert "public <utterance> = [<opener>] <phrase> [<closer>];" in grammar
    with pytest.raises(ValueError):
        engine_module.hesitant_grammar(grammar.replace("[<closer>];", "<closer>;", 1))
