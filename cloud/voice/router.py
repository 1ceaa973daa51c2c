"""`POST /devices/{id}/voice`: a transcript (JSON) or a WAV upload (multipart field `audio`)."""

from __future__ import annotations

import time
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from cloud.config import CloudSettings
from cloud.deps import DbSession, Now, Settings
from cloud.devices.auth import AuthenticatedDevice
from cloud.devices.models import Device
from cloud.errors import ValidationFailedError, validation_details
from cloud.voice.completions_runner import CompletionsRunner
from cloud.voice.schemas import TranscriptIn, VoiceOut
from cloud.voice.service import VoiceService
from cloud.voice.settings import CloudLlmSettings
from cloud.voice.speech import read_wav, recognizer
from shared.understanding import ModelRunner

router = APIRouter(tags=["device"])

REQUEST_BODY: dict[str, Any] = {
    "required": True,
    "content": {
        "application/json": {"schema": TranscriptIn.model_json_schema()},
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["audio"],
                "properties": {
                    "audio": {
                        "type": "string",
                        "format": "binary",
                        "description": "WAV, 16 kHz, 16-bit PCM, mono or stereo.",
                    },
                    "conversation_id": {"type": "string", "format": "uuid"},
                },
            }
        },
    },
}


async def voice_runner(request: Request) -> ModelRunner | None:
    """The app's model runner, made on first use from `MEDMIND_CLOUD_LLM_*` (None: rules only)."""
    state = request.app.state
    if not hasattr(state, "voice_runner"):
        settings = CloudLlmSettings()
        state.voice_runner = (
            None
            if settings.url is None
            else CompletionsRunner(
                settings.url,
                settings.model,
                api_key=settings.api_key.get_secret_value() if settings.api_key else None,
                timeout_s=settings.timeout_s,
            )
        )
    runner: ModelRunner | None = state.voice_runner
    return runner


VoiceRunner = Annotated[ModelRunner | None, Depends(voice_runner)]


def _from_transcript(service: VoiceService, device: Device, raw: bytes) -> VoiceOut:
    try:
        body = TranscriptIn.model_validate_json(raw)
    except ValidationError as exc:
        raise ValidationFailedError(
            f"invalid transcript: {exc.errors()[0]['msg']}", validation_details(exc.errors())
        ) from None
    return service.handle(
        device,
        body.transcript,
        conversation_id=body.conversation_id,
        alternatives=tuple(body.alternatives),
        stt_engine=body.stt_engine,
        stt_latency_ms=body.stt_latency_ms,
    )


def _from_audio(
    service: VoiceService,
    device: Device,
    settings: CloudSettings,
    data: bytes,
    conversation_id: uuid.UUID | None,
) -> VoiceOut:
    pcm16 = read_wav(data)
    engine = recognizer(settings.vosk_model_path)
    started = time.perf_counter()
    transcript = engine.transcribe(pcm16).strip()
    latency_ms = (time.perf_counter() - started) * 1000.0
    if not transcript:
        raise ValidationFailedError("no speech was recognised in the audio")
    return service.handle(
        device,
        transcript,
        conversation_id=conversation_id,
        stt_engine=engine.name,
        stt_latency_ms=latency_ms,
    )


@router.post(
    "/devices/{device_id}/voice",
    response_model=VoiceOut,
    openapi_extra={"requestBody": REQUEST_BODY},
)
async def device_voice(
    request: Request,
    *,
    device: AuthenticatedDevice,
    db: DbSession,
    settings: Settings,
    runner: VoiceRunner,
    now: Now,
) -> VoiceOut:
    """Understand what the patient said (a transcript, or WAV audio transcribed here), store
    it as an interaction, and act on it as the device's reply policy says (shared.dialog)."""
    service = VoiceService(db, now, runner)
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("application/json"):
        raw = await request.body()
        return await run_in_threadpool(_from_transcript, service, device, raw)
    if not content_type.startswith("multipart/form-data"):
        raise ValidationFailedError(
            "send application/json (a transcript) or multipart/form-data (audio)"
        )
    form = await request.form(
        max_files=1, max_fields=2, max_part_size=settings.max_voice_upload_bytes
    )
    audio = form.get("audio")
    if not isinstance(audio, UploadFile):
        raise ValidationFailedError("the multipart body needs a file field named 'audio'")
    data = await audio.read(settings.max_voice_upload_bytes + 1)
    if len(data) > settings.max_voice_upload_bytes:
        raise ValidationFailedError(f"audio larger than {settings.max_voice_upload_bytes} bytes")
    raw_id = form.get("conversation_id")
    try:
        conversation_id = uuid.UUID(raw_id) if isinstance(raw_id, str) and raw_id else None
    except ValueError:
        raise ValidationFailedError("conversation_id must be a UUID") from None
    return await run_in_threadpool(_from_audio, service, device, settings, data, conversation_id)
