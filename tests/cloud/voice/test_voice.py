"""The cloud voice endpoint understands like the device, stores an interaction, and acts; where
the rules are unsure it asks a real model server (llama.cpp's OpenAI-compatible server), records
the pass in `llm_requests`, and falls back to rules without it."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cloud.alerts.models import AlertLog
from cloud.conversations.models import InteractionLog, LlmRequest
from cloud.symptoms.models import SymptomLog
from edge_agent.voice.model_files import ensure_llm_model
from edge_agent.voice.settings import VoiceSettings
from firmware_sim.embedded_broker import LOOPBACK, free_port
from shared.enums import AlertType
from tests.cloud.factories import CloudFactory, ProvisionedDevice

MODEL_ALIAS = "gemma-3-270m"
# Neither the rules nor the paraphrase classifier can tell what this is (the classifier's best
# guess is below its threshold); only the model pass decides it (and answers "other": an answer
# that a dose was taken would be refused, see shared.understanding.combine).
UNSURE_UTTERANCE = "about my legs and the nurse tomorrow"


@pytest.fixture(scope="module")
def model_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`python -m llama_cpp.server` on the packaged gemma model, on a free loopback port."""
    # The voice tests' data dir: the model is assembled from its package once per machine.
    data_dir = Path.home() / ".cache" / "medmind-tests" / "voice"
    model = ensure_llm_model(VoiceSettings(data_dir=data_dir))
    port = free_port()
    log = tmp_path_factory.mktemp("llm") / "server.log"
    with log.open("wb") as sink:
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "llama_cpp.server",
                "--model",
                str(model),
                "--model_alias",
                MODEL_ALIAS,
                "--n_ctx",
                "1024",
                "--n_threads",
                "1",
                "--host",
                LOOPBACK,
                "--port",
                str(port),
            ],
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    url = f"http://{LOOPBACK}:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"{url}/v1/models", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert server.poll() is None, f"the model server exited: {log.read_text()[-2000:]}"
            assert time.monotonic() < deadline, f"the model server did not start: {log.read_text()}"
            time.sleep(0.2)
        yield url
    finally:
        server.terminate()
        server.wait(30)


@pytest.fixture
def device(factory: CloudFactory) -> ProvisionedDevice:
    patient = factory.patient()
    factory.plan(patient)
    return factory.device(patient)


def _say(client: TestClient, device: ProvisionedDevice, transcript: str) -> dict[str, object]:
    response = client.post(
        f"/api/v1/devices/{device.device_id}/voice",
        json={"transcript": transcript},
        auth=(device.device_id, device.password),
    )
    assert response.status_code == 200, response.text
    body: dict[str, object] = response.json()
    return body


def test_an_emergency_raises_a_critical_alert(
    client: TestClient, db: Session, device: ProvisionedDevice
) -> None:
    answer = _say(client, device, "help I can't breathe")

    assert answer["intent"] == "emergency"
    alert = db.get(AlertLog, answer["alert_id"])
    assert alert is not None and alert.alert_type is AlertType.EMERGENCY


def test_a_symptom_is_logged_and_the_interaction_stored(
    client: TestClient, db: Session, device: ProvisionedDevice
) -> None:
    answer = _say(client, device, "I have a headache")

    assert answer["intent"] == "log_symptom"
    symptom = db.get(SymptomLog, answer["symptom_id"])
    assert symptom is not None and symptom.symptom == "headache"
    interaction = db.get(InteractionLog, answer["interaction_id"])
    assert interaction is not None and interaction.transcript == "I have a headache"


def test_a_medication_question_is_answered_from_the_plan(
    client: TestClient, device: ProvisionedDevice
) -> None:
    answer = _say(client, device, "what do I take tonight")

    assert answer["intent"] == "medication_question"
    assert "Metformin" in str(answer["reply"])


def test_other_devices_credentials_are_refused(
    client: TestClient, db: Session, device: ProvisionedDevice, factory: CloudFactory
) -> None:
    other = factory.device(factory.patient())

    response = client.post(
        f"/api/v1/devices/{device.device_id}/voice",
        json={"transcript": "hello"},
        auth=(other.device_id, other.password),
    )

    assert response.status_code == 403
    assert db.scalar(select(func.count()).select_from(InteractionLog)) == 0


@pytest.mark.skipif(
    not (shutil.which("espeak-ng") and shutil.which("sox")), reason="needs espeak-ng and sox"
)
def test_a_wav_upload_is_transcribed_and_understood(
    client: TestClient, db: Session, device: ProvisionedDevice, tmp_path: Path
) -> None:
    spoken, wav = tmp_path / "spoken.wav", tmp_path / "speech.wav"
    subprocess.run(["espeak-ng", "-s", "140", "-w", str(spoken), "I have a headache"], check=True)
    subprocess.run(["sox", str(spoken), "-r", "16000", "-c", "1", "-b", "16", str(wav)], check=True)

    response = client.post(
        f"/api/v1/devices/{device.device_id}/voice",
        files={"audio": ("speech.wav", wav.read_bytes(), "audio/wav")},
        auth=(device.device_id, device.password),
    )

    assert response.status_code == 200, response.text
    assert response.json()["stt_engine"] == "pocketsphinx"
    assert db.scalar(select(func.count()).select_from(InteractionLog)) == 1


def test_audio_in_the_wrong_format_is_refused_clearly(
    client: TestClient, device: ProvisionedDevice
) -> None:
    response = client.post(
        f"/api/v1/devices/{device.device_id}/voice",
        files={"audio": ("speech.wav", b"RIFF....not a wav", "audio/wav")},
        auth=(device.device_id, device.password),
    )

    assert response.status_code == 422
    assert "WAV" in response.json()["error"]["message"]


def test_the_model_decides_what_rules_cannot_and_the_pass_is_recorded(
    model_server: str,
    monkeypatch: pytest.MonkeyPatch,
    client: TestClient,
    db: Session,
    device: ProvisionedDevice,
) -> None:
    monkeypatch.setenv("MEDMIND_CLOUD_LLM_URL", model_server)
    monkeypatch.setenv("MEDMIND_CLOUD_LLM_MODEL", MODEL_ALIAS)
    # The first pass evaluates the whole few-shot prefix on one CPU thread.
    monkeypatch.setenv("MEDMIND_CLOUD_LLM_TIMEOUT_S", "120")

    answer = _say(client, device, UNSURE_UTTERANCE)

    interaction = db.get(InteractionLog, answer["interaction_id"])
    assert interaction is not None
    assert interaction.understood_by != "rules", "the model was not asked"
    passes = db.scalars(select(LlmRequest).where(LlmRequest.interaction_id == interaction.id)).all()
    assert len(passes) == 1, "the model pass was not recorded in llm_requests"
    recorded = passes[0]
    assert recorded.patient_id == interaction.patient_id
    assert recorded.model_name == MODEL_ALIAS
    assert recorded.prompt.endswith(f"Said: {UNSURE_UTTERANCE}\nJSON:"), recorded.prompt[-200:]
    assert recorded.output.startswith("{"), recorded.output
    assert recorded.prompt_tokens > 0 and recorded.completion_tokens > 0


def test_without_a_reachable_model_server_the_rules_answer(
    monkeypatch: pytest.MonkeyPatch, client: TestClient, db: Session, device: ProvisionedDevice
) -> None:
    monkeypatch.setenv("MEDMIND_CLOUD_LLM_URL", f"http://{LOOPBACK}:{free_port()}")

    answer = _say(client, device, UNSURE_UTTERANCE)
    emergency = _say(client, device, "help I fell and can't get up")

    assert answer["intent"] == "other"
    assert emergency["intent"] == "emergency"
    interaction = db.get(InteractionLog, answer["interaction_id"])
    assert interaction is not None and interaction.understood_by == "rules"
    assert db.scalars(select(LlmRequest)).all() == [], "a failed pass was recorded"
