"""The talk button end to end: press, speak into the virtual microphone, the device acts."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from edge_agent.voice.dialog import NOT_HEARD, DialogManager
from edge_agent.voice.endpointing import EndpointerConfig
from edge_agent.voice.microphone import VirtualMicrophone
from edge_agent.voice.pocketsphinx_engine import PocketsphinxEngine
from edge_agent.voice.voice_loop import VoiceLoop
from shared.enums import AlertLevel, Button
from tests.edge_agent.factories import Device


@pytest.fixture
def microphone() -> VirtualMicrophone:
    return VirtualMicrophone()


@pytest.fixture
def voice(
    device: Device, microphone: VirtualMicrophone, pocketsphinx_engine: PocketsphinxEngine
) -> Iterator[VoiceLoop]:
    loop = VoiceLoop(
        device.agent,
        microphone,
        pocketsphinx_engine,
        DialogManager(
            device.agent.actions, device.clock, timers=device.agent.loop, say=device.agent.say
        ),
        EndpointerConfig(no_speech_timeout_s=1.0),
    )
    loop.attach()
    yield loop
    loop.detach()


def test_saying_i_took_my_pills_and_yes_to_the_confirmation_takes_the_due_doses(
    device: Device, microphone: VirtualMicrophone, voice: VoiceLoop
) -> None:
    microphone.say("I took my pills")
    microphone.say("yes")
    mark = device.mark()

    device.press(Button.TALK)
    voice.wait_until_idle()

    taken = [
        r.medication_name for r in device.occurrences() if r.state.value in ("on_time", "late")
    ]
    heard = [(i.body.transcript, i.body.reply) for i in device.outbox("interaction")]
    assert sorted(taken) == ["Aspirin", "Metformin"], heard
    assert any("Metformin" in line for line in device.said_since(mark))
    interaction = device.outbox("interaction")[0].body
    assert (interaction.stt_engine, interaction.transcript) == ("pocketsphinx", "i took my pills")


def test_a_spoken_emergency_raises_a_critical_alert(
    device: Device, microphone: VirtualMicrophone, voice: VoiceLoop
) -> None:
    microphone.say("help me")

    device.press(Button.TALK)
    voice.wait_until_idle()

    assert [a.body.level for a in device.outbox("alert")] == [AlertLevel.CRITICAL]


def test_a_symptom_question_is_answered_without_another_press(
    device: Device, microphone: VirtualMicrophone, voice: VoiceLoop
) -> None:
    microphone.say("I have a headache")
    microphone.say("mild")

    device.press(Button.TALK)
    voice.wait_until_idle()

    assert [s.body.symptom for s in device.outbox("symptom")] == ["headache"]
    assert microphone.pending == 0


def test_silence_gets_a_gentle_retry_prompt(device: Device, voice: VoiceLoop) -> None:
    mark = device.mark()

    device.press(Button.TALK)
    voice.wait_until_idle()

    assert device.said_since(mark) == [NOT_HEARD]
    assert device.outbox("interaction") == []
