"""The cloud voice endpoint understands like the device, stores an interaction, and acts."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cloud.alerts.models import AlertLog
from cloud.conversations.models import InteractionLog
from cloud.symptoms.models import SymptomLog
from shared.enums import AlertType
from tests.cloud.factories import CloudFactory, ProvisionedDevice


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
