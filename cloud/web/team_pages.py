"""A patient's care team: its members with their roles, inviting someone by email, pending
invitations (revoke), and removing a member. `InvitationService` decides who may invite whom
and `PatientService` changes the links, with the REST API's rules: the invite form and the
pending list show only for those the service lets manage invitations, and "Remove" only for the
roles the REST route admits (`CLINICIAN_ROLES`)."""

from __future__ import annotations

import uuid
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, BackgroundTasks, Query, Request, Response, status
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError

from cloud.deps import CLINICIAN_ROLES, DbSession, Mail, Now, Settings
from cloud.errors import ConflictError, NotFoundError, PermissionDeniedError
from cloud.invitations.schemas import InvitationIn
from cloud.invitations.service import InvitationService
from cloud.patients.models import Patient
from cloud.patients.service import PatientService
from cloud.users.mail import send_account_email
from cloud.web.deps import (
    CheckedForm,
    NotAllowedError,
    PageNotFoundError,
    WebPatient,
    WebUser,
)
from cloud.web.rendering import render

router = APIRouter()


def _team_url(patient: Patient, **query: str) -> str:
    suffix = f"?{urlencode(query)}" if query else ""
    return f"/app/patients/{patient.id}/team{suffix}"


def _page(
    request: Request,
    who: WebUser,
    db: DbSession,
    settings: Settings,
    patient: Patient,
    *,
    now: Now,
    error: str | None = None,
    invited: str = "",
) -> HTMLResponse:
    service = InvitationService(db, settings)
    roles = service.invitable_roles(patient, who.user)
    return render(
        request,
        "care_team.html",
        who,
        status_code=status.HTTP_400_BAD_REQUEST if error else status.HTTP_200_OK,
        patient=patient,
        members=PatientService(db).care_team(patient.id),
        roles=roles,
        pending=service.pending(patient, who.user, now) if roles else [],
        may_remove=who.user.role in CLINICIAN_ROLES,
        error=error,
        invited=invited,
    )


@router.get("/patients/{patient_id}/team")
def team_page(
    *,
    request: Request,
    who: WebUser,
    patient: WebPatient,
    db: DbSession,
    settings: Settings,
    now: Now,
    invited: Annotated[str, Query(max_length=320)] = "",
) -> HTMLResponse:
    """The care team, its pending invitations and the invite form."""
    return _page(request, who, db, settings, patient, now=now, invited=invited)


@router.post("/patients/{patient_id}/team/invitations")
def invite(
    *,
    request: Request,
    who: WebUser,
    patient: WebPatient,
    db: DbSession,
    settings: Settings,
    mail: Mail,
    now: Now,
    background: BackgroundTasks,
    form: CheckedForm,
) -> Response:
    """Invite someone by email; the email goes out after the answer."""
    try:
        spec = InvitationIn(
            email=str(form.get("email", "")).strip(),
            role=str(form.get("role", "")),
            relationship=str(form.get("relationship", "")).strip() or None,
        )
    except ValidationError:
        message = "Give an email address, like name@example.com, and a role."
        return _page(request, who, db, settings, patient, now=now, error=message)
    try:
        _, message_out = InvitationService(db, settings).invite(patient, who.user, spec, now)
    except PermissionDeniedError:
        raise NotAllowedError from None
    except ConflictError as exc:
        return _page(request, who, db, settings, patient, now=now, error=exc.message)
    background.add_task(send_account_email, mail, message_out)
    return RedirectResponse(
        _team_url(patient, invited=spec.email) + "#invitations",
        status_code=status.HTTP_303_SEE_OTHER,
    )


@router.post("/patients/{patient_id}/team/invitations/{invitation_id}/revoke")
def revoke(
    *,
    who: WebUser,
    patient: WebPatient,
    db: DbSession,
    settings: Settings,
    now: Now,
    _: CheckedForm,
    invitation_id: str,
) -> Response:
    """Withdraw a pending invitation: its link stops working."""
    try:
        InvitationService(db, settings).revoke(patient, who.user, uuid.UUID(invitation_id), now)
    except PermissionDeniedError:
        raise NotAllowedError from None
    except (ValueError, NotFoundError):
        raise PageNotFoundError from None
    return RedirectResponse(
        _team_url(patient) + "#invitations", status_code=status.HTTP_303_SEE_OTHER
    )


@router.get("/patients/{patient_id}/team/members/{user_id}/remove")
def confirm_removal(
    request: Request, who: WebUser, patient: WebPatient, db: DbSession, user_id: str
) -> HTMLResponse:
    """Ask before taking someone off the team: they lose the patient at once, and someone who
    removes themself cannot come back on their own."""
    if who.user.role not in CLINICIAN_ROLES:
        raise NotAllowedError
    try:
        member_id = uuid.UUID(user_id)
    except ValueError:
        raise PageNotFoundError from None
    team = PatientService(db).care_team(patient.id)
    member = next((m for m in team if m.user_id == member_id), None)
    if member is None:
        raise PageNotFoundError
    return render(
        request,
        "remove_member.html",
        who,
        patient=patient,
        member=member,
        yourself=member.user_id == who.user.id,
    )


@router.post("/patients/{patient_id}/team/members/{user_id}/remove")
def remove_member(
    who: WebUser, patient: WebPatient, db: DbSession, _: CheckedForm, user_id: str
) -> Response:
    """Take a caregiver or doctor off the care team (as `DELETE .../care-team/{user_id}`)."""
    if who.user.role not in CLINICIAN_ROLES:
        raise NotAllowedError
    try:
        member = uuid.UUID(user_id)
        PatientService(db).unlink(patient, member)
    except (ValueError, NotFoundError):
        raise PageNotFoundError from None
    # Someone who took themself off no longer sees the patient.
    target = "/app/" if member == who.user.id else _team_url(patient) + "#members"
    return RedirectResponse(target, status_code=status.HTTP_303_SEE_OTHER)
