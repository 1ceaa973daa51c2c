"""A patient's medications."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response, status
from sqlalchemy import select

from cloud.api.pagination import Page, Paging, paginate
from cloud.deps import CareTeam, DbSession, VisiblePatient
from cloud.medications.models import Medication
from cloud.medications.schemas import MedicationIn, MedicationOut, MedicationUpdate
from cloud.medications.service import MedicationService

router = APIRouter(prefix="/patients/{patient_id}/medications", tags=["medications"])


@router.get("", response_model=Page[MedicationOut])
def list_medications(
    patient: VisiblePatient,
    db: DbSession,
    page: Paging,
    active: Annotated[bool | None, Query(description="Only active (or inactive) ones.")] = None,
) -> Page[MedicationOut]:
    """The patient's medications by name."""
    statement = (
        select(Medication)
        .where(Medication.patient_id == patient.id)
        .order_by(Medication.name, Medication.id)
    )
    if active is not None:
        statement = statement.where(Medication.active.is_(active))
    return paginate(db, statement, page, MedicationOut.model_validate)


@router.post("", response_model=MedicationOut, status_code=status.HTTP_201_CREATED)
def create_medication(
    _: CareTeam, patient: VisiblePatient, body: MedicationIn, db: DbSession
) -> MedicationOut:
    """Add a medication."""
    return MedicationOut.model_validate(MedicationService(db).create(patient.id, body))


@router.get("/{medication_id}", response_model=MedicationOut)
def get_medication(
    patient: VisiblePatient, medication_id: uuid.UUID, db: DbSession
) -> MedicationOut:
    """One medication."""
    return MedicationOut.model_validate(MedicationService(db).get(patient.id, medication_id))


@router.patch("/{medication_id}", response_model=MedicationOut)
def update_medication(
    _: CareTeam,
    patient: VisiblePatient,
    medication_id: uuid.UUID,
    body: MedicationUpdate,
    db: DbSession,
) -> MedicationOut:
    """Change a medication (e.g. record a refill in `quantity_dispensed` / `dispensed_at`)."""
    service = MedicationService(db)
    return MedicationOut.model_validate(
        service.update(service.get(patient.id, medication_id), body)
    )


@router.delete("/{medication_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_medication(
    _: CareTeam, patient: VisiblePatient, medication_id: uuid.UUID, db: DbSession
) -> Response:
    """Remove a medication."""
    service = MedicationService(db)
    service.delete(service.get(patient.id, medication_id))
    return Response(status_code=status.HTTP_204_NO_CONTENT)
