"""A patient's medications."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from cloud.errors import NotFoundError
from cloud.medications.models import Medication
from cloud.medications.schemas import MedicationIn, MedicationUpdate

# Columns that may be cleared with an explicit null.
_NULLABLE = {"strength", "form", "quantity_dispensed", "dispensed_at", "low_stock_days"}


class MedicationService:
    """Medications of one patient; owns its transaction."""

    def __init__(self, db: Session) -> None:
        self.db = db

    def get(self, patient_id: uuid.UUID, medication_id: uuid.UUID) -> Medication:
        """The patient's medication; 404 if it is not theirs."""
        medication = self.db.scalar(
            select(Medication).where(
                Medication.id == medication_id, Medication.patient_id == patient_id
            )
        )
        if medication is None:
            raise NotFoundError("medication not found")
        return medication

    def create(self, patient_id: uuid.UUID, spec: MedicationIn) -> Medication:
        """Add a medication."""
        medication = Medication(id=uuid.uuid4(), patient_id=patient_id, **spec.model_dump())
        self.db.add(medication)
        self.db.commit()
        return medication

    def update(self, medication: Medication, changes: MedicationUpdate) -> Medication:
        """Apply the given fields."""
        for name, value in changes.model_dump(exclude_unset=True).items():
            if value is not None or name in _NULLABLE:
                setattr(medication, name, value)
        self.db.commit()
        return medication

    def delete(self, medication: Medication) -> None:
        """Remove a medication (plan items keep their name; their link is cleared)."""
        self.db.delete(medication)
        self.db.commit()
