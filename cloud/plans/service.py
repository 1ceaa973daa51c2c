"""Medication plans: store a new version, read the current one.

Saving a version validates it with the shared contract (`shared.plan.MedicationPlan`), marks it
current, re-expands the patient's upcoming occurrences, commits, and only then hands the plan to
the plan-change hook for every device of the patient.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from cloud.devices.models import Device
from cloud.doses.expansion import OccurrenceExpander
from cloud.errors import NotFoundError, ValidationFailedError, validation_details
from cloud.patients.models import Patient
from cloud.plans import hooks
from cloud.plans.models import MedicationPlan
from cloud.plans.schemas import PlanItemIn, PlanVersionIn
from cloud.plans.wire import from_contract
from shared import plan as contract


def _contract_item(item: PlanItemIn, known_item_ids: set[uuid.UUID]) -> contract.PlanItem:
    # An item keeps its id only if it continues a line of this plan; otherwise it is new.
    item_id = item.item_id if item.item_id in known_item_ids else uuid.uuid4()
    return contract.PlanItem(item_id=item_id, **item.model_dump(exclude={"item_id"}))


class PlanService:
    """Reads and versions a patient's medication plan; owns its transaction."""

    def __init__(self, db: Session) -> None:
        self.db = db

    def current(self, patient_id: uuid.UUID) -> MedicationPlan | None:
        """The patient's current plan version, if any."""
        return self.db.scalars(
            select(MedicationPlan).where(
                MedicationPlan.patient_id == patient_id, MedicationPlan.is_current.is_(True)
            )
        ).first()

    def current_by_device(self) -> list[tuple[str, MedicationPlan]]:
        """Every device assigned to a patient with a plan, with that patient's current plan."""
        rows = self.db.execute(
            select(Device.device_id, MedicationPlan)
            .join(MedicationPlan, MedicationPlan.patient_id == Device.patient_id)
            .where(MedicationPlan.is_current.is_(True))
            .order_by(Device.device_id)
        ).all()
        return [(device_id, plan) for device_id, plan in rows]

    def require_current(self, patient_id: uuid.UUID) -> MedicationPlan:
        """The current plan; NotFoundError if the patient has none yet."""
        plan = self.current(patient_id)
        if plan is None:
            raise NotFoundError("this patient has no medication plan yet")
        return plan

    def versions(self, patient_id: uuid.UUID) -> Sequence[MedicationPlan]:
        """Every version of the patient's plans, newest first."""
        return self.db.scalars(
            select(MedicationPlan)
            .where(MedicationPlan.patient_id == patient_id)
            .order_by(MedicationPlan.issued_at.desc(), MedicationPlan.version.desc())
        ).all()

    def get_version(
        self, patient_id: uuid.UUID, plan_id: uuid.UUID, version: int
    ) -> MedicationPlan:
        """One version of one of the patient's plans."""
        plan = self.db.scalars(
            select(MedicationPlan).where(
                MedicationPlan.patient_id == patient_id,
                MedicationPlan.plan_id == plan_id,
                MedicationPlan.version == version,
            )
        ).first()
        if plan is None:
            raise NotFoundError(f"plan {plan_id} has no version {version}")
        return plan

    def save_version(
        self,
        patient_id: uuid.UUID,
        spec: PlanVersionIn,
        *,
        created_by: uuid.UUID | None = None,
        now: datetime | None = None,
    ) -> MedicationPlan:
        """Store `spec` as the patient's new current version (version 1 of a new plan if none)."""
        now = now or datetime.now(UTC)
        patient = self.db.get(Patient, patient_id, with_for_update=True)
        if patient is None:
            raise NotFoundError("patient not found")
        previous = self.current(patient_id)
        known = {item.item_id for item in previous.items} if previous else set()
        try:
            wire = contract.MedicationPlan(
                plan_id=previous.plan_id if previous else uuid.uuid4(),
                patient_id=patient_id,
                version=previous.version + 1 if previous else 1,
                timezone=spec.timezone or patient.timezone,
                items=[_contract_item(item, known) for item in spec.items],
                issued_at=now,
            )
        except ValidationError as exc:
            raise ValidationFailedError(
                f"the plan is not valid: {exc.errors()[0]['msg']}",
                details=validation_details(exc.errors()),
            ) from None
        if previous is not None:
            previous.is_current = False
            self.db.flush()
        stored = from_contract(wire, note=spec.note)
        stored.created_by_user_id = created_by
        self.db.add(stored)
        self.db.flush()
        OccurrenceExpander(self.db).refresh_upcoming(stored, now=now)
        self.db.commit()
        self._publish(patient_id, wire)
        return stored

    def _publish(self, patient_id: uuid.UUID, plan: contract.MedicationPlan) -> None:
        device_ids = list(
            self.db.scalars(select(Device.device_id).where(Device.patient_id == patient_id))
        )
        hooks.publish_plan(device_ids, plan)
