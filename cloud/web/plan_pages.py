"""The medication plan editor: change, pause, resume, stop or add a line; each save is a new
plan version, stored by `PlanService.save_version` as the REST API stores it, and the page
follows the devices until they report running it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request, Response, status
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from cloud.deps import DbSession, Now
from cloud.devices.models import Device
from cloud.errors import ValidationFailedError
from cloud.patients.models import Patient
from cloud.plans.models import MedicationPlan
from cloud.plans.schemas import PlanVersionIn
from cloud.plans.service import PlanService
from cloud.web import plan_forms, views
from cloud.web.deps import CheckedForm, PageNotFoundError, WebPatient, WebUser
from cloud.web.rendering import render
from cloud.web.settings import WebSettings
from shared.enums import Weekday

router = APIRouter()


@dataclass(frozen=True)
class Rollout:
    """The current version and, per device, whether it runs it yet."""

    plan: MedicationPlan | None
    devices: list[Device]

    @property
    def applied(self) -> bool:
        """Every device of the patient reports running the current version."""
        return (
            self.plan is not None
            and bool(self.devices)
            and all((d.plan_version_applied or 0) >= self.plan.version for d in self.devices)
        )


def _rollout(db: Session, patient: Patient) -> Rollout:
    devices = db.scalars(
        select(Device).where(Device.patient_id == patient.id).order_by(Device.device_id)
    ).all()
    return Rollout(PlanService(db).current(patient.id), list(devices))


def _editor(
    request: Request,
    who: WebUser,
    db: Session,
    patient: Patient,
    now: Any,
    *,
    errors: list[str] | None = None,
    failed_item: str | None = None,
    posted: plan_forms.FormValues | None = None,
) -> HTMLResponse:
    settings: WebSettings = request.app.state.web_settings
    return render(
        request,
        "plan.html",
        who,
        status_code=status.HTTP_422_UNPROCESSABLE_CONTENT if errors else status.HTTP_200_OK,
        patient=patient,
        rollout=_rollout(db, patient),
        today=views.local_today(patient, now),
        weekdays=list(Weekday),
        errors=errors or [],
        failed_item=failed_item,
        posted=posted,
        stored_values=plan_forms.stored_values,
        blank=plan_forms.FormValues(start_date=views.local_today(patient, now).isoformat()),
        poll_seconds=settings.live_poll_seconds,
    )


def _problems(exc: ValidationError | ValidationFailedError) -> list[str]:
    if isinstance(exc, ValidationFailedError):
        details = exc.details or [{"loc": [], "msg": exc.message}]
        return [
            f"{'.'.join(map(str, d.get('loc', [])[-1:])) or 'plan'}: {d['msg']}" for d in details
        ]
    return [f"{'.'.join(map(str, e['loc'])) or 'line'}: {e['msg']}" for e in exc.errors()]


def _save(db: Session, patient: Patient, who: WebUser, spec: PlanVersionIn, now: Any) -> None:
    PlanService(db).save_version(patient.id, spec, created_by=who.user.id, now=now)


def _saved(patient: Patient) -> Response:
    return RedirectResponse(
        f"/app/patients/{patient.id}/plan#rollout", status_code=status.HTTP_303_SEE_OTHER
    )


@router.get("/patients/{patient_id}/plan")
def plan_editor(
    request: Request, who: WebUser, patient: WebPatient, db: DbSession, now: Now
) -> HTMLResponse:
    """The current plan, a form per line, a form for a new line, and the rollout."""
    return _editor(request, who, db, patient, now)


@router.get("/patients/{patient_id}/plan/rollout")
def plan_rollout(
    request: Request, who: WebUser, patient: WebPatient, db: DbSession
) -> HTMLResponse:
    """The rollout status alone, for the page to refresh itself."""
    return render(request, "plan_rollout.html", who, rollout=_rollout(db, patient))


def _line_id(db: Session, patient: Patient, item_id: str) -> tuple[MedicationPlan, uuid.UUID]:
    plan = PlanService(db).current(patient.id)
    try:
        wanted = uuid.UUID(item_id)
    except ValueError:
        raise PageNotFoundError from None
    if plan is None or all(item.item_id != wanted for item in plan.items):
        raise PageNotFoundError
    return plan, wanted


@router.post("/patients/{patient_id}/plan/lines/{item_id}")
def change_line(
    *,
    request: Request,
    who: WebUser,
    patient: WebPatient,
    db: DbSession,
    now: Now,
    form: CheckedForm,
    item_id: str,
) -> Response:
    """Save a changed line, or stop, pause or resume it, as a new plan version."""
    plan, line_id = _line_id(db, patient, item_id)
    action = form.get("action")
    try:
        if action == "stop":
            spec = plan_forms.stopped(plan, line_id, views.local_today(patient, now))
        elif action in ("pause", "resume"):
            spec = plan_forms.paused(plan, line_id, pause=action == "pause")
        else:
            line = plan_forms.item_from_form(form, line_id)
            spec = plan_forms.with_line(plan, line, f"{line.medication_name} changed")
        _save(db, patient, who, spec, now)
    except (ValidationError, ValidationFailedError) as exc:
        db.rollback()
        return _editor(
            request,
            who,
            db,
            patient,
            now,
            errors=_problems(exc),
            failed_item=item_id,
            posted=plan_forms.posted_values(form),
        )
    return _saved(patient)


@router.post("/patients/{patient_id}/plan/lines")
def add_line(
    *,
    request: Request,
    who: WebUser,
    patient: WebPatient,
    db: DbSession,
    now: Now,
    form: CheckedForm,
) -> Response:
    """Add a medication line as a new plan version."""
    plan = PlanService(db).current(patient.id)
    try:
        line = plan_forms.item_from_form(form, None)
        _save(
            db, patient, who, plan_forms.with_line(plan, line, f"{line.medication_name} added"), now
        )
    except (ValidationError, ValidationFailedError) as exc:
        db.rollback()
        return _editor(
            request,
            who,
            db,
            patient,
            now,
            errors=_problems(exc),
            failed_item="new",
            posted=plan_forms.posted_values(form),
        )
    return _saved(patient)
