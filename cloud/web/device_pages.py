"""A patient's devices: status for everyone who may see the patient; registering a device and
(re-)issuing its one-time MQTT credentials, with a QR code, for the roles the API allows."""

from __future__ import annotations

import json
from dataclasses import dataclass

import qrcode
import qrcode.image.svg
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.orm import Session

from cloud.config import CloudSettings
from cloud.deps import DbSession, Settings
from cloud.devices.models import Device, DeviceHeartbeat
from cloud.devices.schemas import DeviceIn
from cloud.devices.service import DeviceService
from cloud.errors import ConflictError
from cloud.patients.models import Patient
from cloud.web.deps import CheckedForm, NotAllowedError, PageNotFoundError, WebPatient, WebUser
from cloud.web.rendering import render
from shared.enums import Role
from shared.topics import device_prefix

router = APIRouter()
# What the REST API lets register and provision devices.
DEVICE_ADMINS = (Role.ADMIN,)


@dataclass(frozen=True)
class DeviceStatus:
    """A device with what its latest heartbeat said."""

    device: Device
    outbox_depth: int | None


def _statuses(db: Session, patient: Patient) -> list[DeviceStatus]:
    devices = db.scalars(
        select(Device).where(Device.patient_id == patient.id).order_by(Device.device_id)
    ).all()
    depths: dict[object, int] = {}
    if devices:
        beats = db.execute(
            select(DeviceHeartbeat.device_pk, DeviceHeartbeat.outbox_depth)
            .where(DeviceHeartbeat.device_pk.in_([d.id for d in devices]))
            .ext(distinct_on(DeviceHeartbeat.device_pk))
            .order_by(DeviceHeartbeat.device_pk, DeviceHeartbeat.received_at.desc())
        ).all()
        depths = {pk: depth for pk, depth in beats}
    return [DeviceStatus(device, depths.get(device.id)) for device in devices]


def _page(
    request: Request, who: WebUser, db: Session, patient: Patient, error: str | None = None
) -> HTMLResponse:
    return render(
        request,
        "devices.html",
        who,
        status_code=400 if error else 200,
        patient=patient,
        statuses=_statuses(db, patient),
        may_manage=who.user.role in DEVICE_ADMINS,
        error=error,
    )


def _qr_svg(payload: str) -> Markup:
    image = qrcode.make(payload, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    # Made here from our own data: safe to put in the page as markup.
    return Markup(image.to_string(encoding="unicode"))


def _credentials(
    request: Request,
    *,
    who: WebUser,
    patient: Patient,
    settings: CloudSettings,
    device: Device,
    password: str,
) -> HTMLResponse:
    details = {
        "device_id": device.device_id,
        "username": device.device_id,
        "password": password,
        "topic_prefix": device_prefix(device.device_id),
    }
    if settings.mqtt_url:
        details["broker"] = settings.mqtt_url
    return render(
        request,
        "device_credentials.html",
        who,
        patient=patient,
        details=details,
        qr=_qr_svg(json.dumps(details, separators=(",", ":"))),
    )


def _manager(who: WebUser) -> None:
    if who.user.role not in DEVICE_ADMINS:
        raise NotAllowedError


@router.get("/patients/{patient_id}/devices")
def devices_page(
    request: Request, who: WebUser, patient: WebPatient, db: DbSession
) -> HTMLResponse:
    """The patient's devices and how each is doing."""
    return _page(request, who, db, patient)


@router.post("/patients/{patient_id}/devices")
def register_device(
    *,
    request: Request,
    who: WebUser,
    patient: WebPatient,
    db: DbSession,
    settings: Settings,
    form: CheckedForm,
) -> HTMLResponse:
    """Register a device for the patient and show its credentials, once."""
    _manager(who)
    service = DeviceService(db)
    try:
        spec = DeviceIn(
            device_id=str(form.get("device_id", "")).strip(),
            name=str(form.get("name", "")).strip(),
            patient_id=patient.id,
        )
        device = service.register(spec)
    except ValidationError:
        message = "A device id is 1 to 64 letters, digits, '-' or '_'."
        return _page(request, who, db, patient, message)
    except ConflictError as exc:
        return _page(request, who, db, patient, f"Not registered: {exc.message}.")
    return _credentials(
        request,
        who=who,
        patient=patient,
        settings=settings,
        device=device,
        password=service.provision(device),
    )


@router.post("/patients/{patient_id}/devices/{device_id}/credentials")
def reissue_credentials(
    *,
    request: Request,
    who: WebUser,
    patient: WebPatient,
    db: DbSession,
    settings: Settings,
    _: CheckedForm,
    device_id: str,
) -> HTMLResponse:
    """New credentials for one of the patient's devices (the old ones stop working)."""
    _manager(who)
    service = DeviceService(db)
    device = service.by_device_id(device_id)
    if device is None or device.patient_id != patient.id:
        raise PageNotFoundError
    return _credentials(
        request,
        who=who,
        patient=patient,
        settings=settings,
        device=device,
        password=service.provision(device),
    )
