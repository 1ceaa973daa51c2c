"""Devices: registration, assignment to patients, provisioning of credentials."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cloud.broker_auth.passwords import mosquitto_hash
from cloud.devices.models import Device, DeviceCredential, DeviceEvent
from cloud.devices.schemas import DeviceIn, DeviceUpdate
from cloud.errors import ConflictError, NotFoundError, ValidationFailedError
from cloud.patients.models import Patient
from cloud.plans import hooks
from cloud.plans.service import PlanService
from cloud.plans.wire import to_contract
from cloud.users.passwords import hash_password, new_secret


class DeviceService:
    """Device records and their credentials; owns its transaction."""

    def __init__(self, db: Session) -> None:
        self.db = db

    def by_device_id(self, device_id: str) -> Device | None:
        """The device with this wire id."""
        return self.db.scalar(select(Device).where(Device.device_id == device_id))

    def register(self, spec: DeviceIn) -> Device:
        """A new device (not yet provisioned); it gets its patient's plan, if it has one."""
        self._check_patient(spec.patient_id)
        device = Device(id=uuid.uuid4(), **spec.model_dump())
        self.db.add(device)
        self._event(device, "registered", {})
        try:
            self.db.commit()
        except IntegrityError:
            self.db.rollback()
            raise ConflictError(f"device {spec.device_id} is already registered") from None
        self._push_plan(device)
        return device

    def update(self, device: Device, changes: DeviceUpdate) -> Device:
        """Rename or reassign a device; a device moved to a patient gets that patient's plan."""
        fields = changes.model_dump(exclude_unset=True)
        reassigned = "patient_id" in fields and fields["patient_id"] != device.patient_id
        if reassigned:
            self._check_patient(fields["patient_id"])
            self._event(device, "assigned", {"patient_id": str(fields["patient_id"])})
        for name, value in fields.items():
            if name == "name" and value is None:
                continue
            setattr(device, name, value)
        self.db.commit()
        if reassigned:
            self._push_plan(device)
        return device

    def provision(self, device: Device) -> str:
        """Make (or replace) the device's secret; returns the password, stored only hashed.

        The patient's plan is published again, so a re-provisioned device finds it retained.
        """
        password = new_secret()
        credential = self.db.scalar(
            select(DeviceCredential).where(DeviceCredential.device_pk == device.id)
        )
        if credential is None:
            credential = DeviceCredential(device_pk=device.id, username=device.device_id)
            self.db.add(credential)
        credential.password_hash = hash_password(password)
        credential.broker_password_hash = mosquitto_hash(password)
        credential.revoked_at = None
        device.provisioned_at = datetime.now(UTC)
        self._event(device, "provisioned", {})
        self.db.commit()
        self._push_plan(device)
        return password

    def _push_plan(self, device: Device) -> None:
        """Publish the current plan of the device's patient, retained, to the device."""
        if device.patient_id is None:
            return
        plan = PlanService(self.db).current(device.patient_id)
        if plan is not None:
            hooks.publish_plan([device.device_id], to_contract(plan))

    def _check_patient(self, patient_id: uuid.UUID | None) -> None:
        if patient_id is not None and self.db.get(Patient, patient_id) is None:
            raise ValidationFailedError(f"patient {patient_id} does not exist")

    def _event(self, device: Device, event_type: str, detail: dict[str, str]) -> None:
        self.db.add(
            DeviceEvent(
                device_pk=device.id,
                event_type=event_type,
                occurred_at=datetime.now(UTC),
                detail=detail,
            )
        )


def require_device(db: Session, device_id: str) -> Device:
    """The device, or NotFoundError."""
    device = DeviceService(db).by_device_id(device_id)
    if device is None:
        raise NotFoundError("device not found")
    return device
