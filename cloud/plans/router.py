"""Medication plans: the current version, history, and new versions."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Path, status
from sqlalchemy import select

from cloud.api.pagination import Page, Paging, paginate
from cloud.deps import CareTeam, DbSession, Now, VisiblePatient
from cloud.plans.models import MedicationPlan
from cloud.plans.schemas import PlanOut, PlanVersionIn
from cloud.plans.service import PlanService

router = APIRouter(prefix="/patients/{patient_id}", tags=["plans"])


@router.get("/plan", response_model=PlanOut)
def current_plan(patient: VisiblePatient, db: DbSession) -> PlanOut:
    """The patient's current plan version (what the devices run)."""
    return PlanOut.model_validate(PlanService(db).require_current(patient.id))


@router.get("/plans", response_model=Page[PlanOut])
def plan_versions(patient: VisiblePatient, db: DbSession, page: Paging) -> Page[PlanOut]:
    """Every stored version of the patient's plan, newest first."""
    statement = (
        select(MedicationPlan)
        .where(MedicationPlan.patient_id == patient.id)
        .order_by(MedicationPlan.issued_at.desc(), MedicationPlan.id)
    )
    return paginate(db, statement, page, PlanOut.model_validate)


@router.post("/plans", response_model=PlanOut, status_code=status.HTTP_201_CREATED)
def new_plan_version(
    user: CareTeam, patient: VisiblePatient, body: PlanVersionIn, db: DbSession, now: Now
) -> PlanOut:
    """Store a new version (the first makes the plan); devices receive it right after."""
    return PlanOut.model_validate(
        PlanService(db).save_version(patient.id, body, created_by=user.id, now=now)
    )


@router.get("/plans/{plan_id}/versions/{version}", response_model=PlanOut)
def plan_version(
    patient: VisiblePatient,
    plan_id: uuid.UUID,
    version: Annotated[int, Path(ge=1, le=1_000_000)],
    db: DbSession,
) -> PlanOut:
    """One version of the patient's plan."""
    return PlanOut.model_validate(PlanService(db).get_version(patient.id, plan_id, version))
