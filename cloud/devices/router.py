"""Devices as people see them: register, provision, assign, presence, heartbeats, events."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, status
from sqlalchemy import select

from cloud.api.pagination import Page, Paging, paginate
from cloud.deps import Access, Admin, CurrentUser, DbSession, VisiblePatient
from cloud.devices.models import Device, DeviceEvent, DeviceHeartbeat
from cloud.devices.schemas import (
    DeviceEventOut,
    DeviceIn,
    DeviceOut,
    DeviceUpdate,
    HeartbeatOut,
    ProvisionOut,
)
from cloud.devices.service import DeviceService, require_device
from cloud.errors import NotFoundError
from shared.enums import Role
from shared.topics import device_prefix

router = APIRouter(tags=["devices"])


def visible_device(
    device_id: Annotated[str, Path(description="The device's wire id.")],
    db: DbSession,
    user: CurrentUser,
    access: Access,
) -> Device:
    """The path's device if the caller may see it: admin, or its patient is visible."""
    device = DeviceService(db).by_device_id(device_id)
    if device is None:
        raise NotFoundError("device not found")
    # A patient's device is a look at that patient (recorded, for admins too).
    seen = (
        access.can_see(device.patient_id)
        if device.patient_id is not None
        else user.role is Role.ADMIN
    )
    if not seen:
        raise NotFoundError("device not found")
    return device


VisibleDevice = Annotated[Device, Depends(visible_device)]


@router.get("/devices", response_model=Page[DeviceOut])
def list_devices(
    *,
    user: CurrentUser,
    access: Access,
    db: DbSession,
    page: Paging,
    online: Annotated[bool | None, Query(description="Only online (or offline) devices.")] = None,
    patient_id: Annotated[uuid.UUID | None, Query(description="Only this patient's.")] = None,
) -> Page[DeviceOut]:
    """Devices the caller may see, with online state and last seen time (each patient on the
    page is recorded in their access log)."""
    statement = select(Device).order_by(Device.device_id)
    if user.role is not Role.ADMIN:
        statement = access.restrict(statement, Device.patient_id)
    if online is not None:
        statement = statement.where(Device.online.is_(online))
    if patient_id is not None:
        statement = statement.where(Device.patient_id == patient_id)
    listed = paginate(db, statement, page, DeviceOut.model_validate)
    access.record(device.patient_id for device in listed.items)
    return listed


@router.post("/devices", response_model=DeviceOut, status_code=status.HTTP_201_CREATED)
def register_device(_: Admin, body: DeviceIn, db: DbSession) -> DeviceOut:
    """Register a device (admin only); provision it to get its credentials."""
    return DeviceOut.model_validate(DeviceService(db).register(body))


@router.get("/devices/{device_id}", response_model=DeviceOut)
def get_device(device: VisibleDevice) -> DeviceOut:
    """One device."""
    return DeviceOut.model_validate(device)


@router.patch("/devices/{device_id}", response_model=DeviceOut)
def update_device(
    _: Admin,
    device_id: Annotated[str, Path(description="The device's wire id.")],
    body: DeviceUpdate,
    db: DbSession,
) -> DeviceOut:
    """Rename a device or assign it to a patient (admin only)."""
    return DeviceOut.model_validate(DeviceService(db).update(require_device(db, device_id), body))


@router.post("/devices/{device_id}/provision", response_model=ProvisionOut)
def provision_device(
    _: Admin, device_id: Annotated[str, Path(description="The device's wire id.")], db: DbSession
) -> ProvisionOut:
    """Make new credentials for the device (admin only). The password is returned only now."""
    device = require_device(db, device_id)
    password = DeviceService(db).provision(device)
    return ProvisionOut(
        device_id=device.device_id,
        username=device.device_id,
        password=password,
        mqtt_topic_prefix=device_prefix(device.device_id),
    )


@router.get("/devices/{device_id}/heartbeats", response_model=Page[HeartbeatOut])
def list_heartbeats(device: VisibleDevice, db: DbSession, page: Paging) -> Page[HeartbeatOut]:
    """The device's heartbeats, newest first."""
    statement = (
        select(DeviceHeartbeat)
        .where(DeviceHeartbeat.device_pk == device.id)
        .order_by(DeviceHeartbeat.received_at.desc(), DeviceHeartbeat.id)
    )
    return paginate(db, statement, page, HeartbeatOut.model_validate)


@router.get("/devices/{device_id}/history", response_model=Page[DeviceEventOut])
def list_device_events(device: VisibleDevice, db: DbSession, page: Paging) -> Page[DeviceEventOut]:
    """What happened to the device (registered, provisioned, plan applied...), newest first."""
    statement = (
        select(DeviceEvent)
        .where(DeviceEvent.device_pk == device.id)
        .order_by(DeviceEvent.occurred_at.desc(), DeviceEvent.id)
    )
    return paginate(db, statement, page, DeviceEventOut.model_validate)


@router.get("/patients/{patient_id}/devices", response_model=list[DeviceOut])
def patient_devices(patient: VisiblePatient, db: DbSession) -> list[DeviceOut]:
    """The patient's devices."""
    devices = db.scalars(
        select(Device).where(Device.patient_id == patient.id).order_by(Device.device_id)
    )
    return [DeviceOut.model_validate(d) for d in devices]
