"""The evaluation's voices: conditions parse as written, slow is slower, noise sits 20 dB down."""

from __future__ import annotations

import math
from array import array

import pytest

from edge_agent.voice.voices import NOISE_SNR_DB, VoiceCondition, mix_noise, rms


def test_a_condition_reads_synthesizer_voice_and_flags() -> None:
    condition = VoiceCondition.parse("flite:slt:slow:noise")

    assert (condition.synthesizer, condition.voice, condition.slow, condition.noisy) == (
        "flite",
        "slt",
        True,
        True,
    )
    assert condition.name == "flite:slt:slow:noise"
    assert VoiceCondition.parse("en-us") == VoiceCondition("espeak-ng", "en-us")


@pytest.mark.parametrize("spec", ["say:alex", "espeak-ng:", "flite:slt:fast"])
def test_a_bad_condition_is_refused_by_name(spec: str) -> None:
    with pytest.raises(ValueError, match="voice"):
        VoiceCondition.parse(spec)


def test_slow_speech_lasts_longer() -> None:
    normal = VoiceCondition.parse("espeak-ng:en-us").speak("I took my morning tablets")
    slow = VoiceCondition.parse("espeak-ng:en-us:slow").speak("I took my morning tablets")

    assert len(slow) > 1.2 * len(normal)


def test_noise_is_mixed_twenty_db_below_the_speech() -> None:
    speech = VoiceCondition.parse("espeak-ng:en-us").speak("help me please")

    noisy = mix_noise(speech, reference=speech, snr_db=NOISE_SNR_DB)
    added = array("h", (n - s for s, n in zip(array("h", speech), array("h", noisy), strict=True)))

    snr_db = 20 * math.log10(rms(speech) / rms(added.tobytes()))
    assert snr_db == pytest.approx(NOISE_SNR_DB, abs=0.5)
    assert mix_noise(speech, reference=speech, snr_db=NOISE_SNR_DB) == noisy, "repeatable"
