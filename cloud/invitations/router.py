"""Invitations: send one for a patient, list and revoke pending ones, accept one by its link."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, BackgroundTasks, Response, status

from cloud.deps import CareTeam, DbSession, Mail, Now, Settings, VisiblePatient
from cloud.invitations.schemas import (
    InvitationAcceptedOut,
    InvitationAcceptIn,
    InvitationIn,
    InvitationOut,
)
from cloud.invitations.service import InvitationService
from cloud.users.mail import send_account_email

router = APIRouter(tags=["invitations"])


@router.post(
    "/patients/{patient_id}/invitations",
    response_model=InvitationOut,
    status_code=status.HTTP_201_CREATED,
)
def invite(
    user: CareTeam,
    *,
    patient: VisiblePatient,
    body: InvitationIn,
    background: BackgroundTasks,
    db: DbSession,
    settings: Settings,
    mail: Mail,
    now: Now,
) -> InvitationOut:
    """Invite someone by email to the patient's care team (admin, the patient's doctor, or
    primary caregiver for caregivers); the email, sent after the answer, carries a single-use
    link that expires."""
    invitation, email = InvitationService(db, settings).invite(patient, user, body, now)
    background.add_task(send_account_email, mail, email)
    return InvitationOut.model_validate(invitation)


@router.get("/patients/{patient_id}/invitations", response_model=list[InvitationOut])
def pending_invitations(
    user: CareTeam, patient: VisiblePatient, db: DbSession, settings: Settings, now: Now
) -> list[InvitationOut]:
    """The patient's invitations not yet accepted, revoked or expired."""
    invitations = InvitationService(db, settings).pending(patient, user, now)
    return [InvitationOut.model_validate(i) for i in invitations]


@router.delete(
    "/patients/{patient_id}/invitations/{invitation_id}", status_code=status.HTTP_204_NO_CONTENT
)
def revoke_invitation(
    user: CareTeam,
    *,
    patient: VisiblePatient,
    invitation_id: uuid.UUID,
    db: DbSession,
    settings: Settings,
    now: Now,
) -> Response:
    """Withdraw a pending invitation: its link stops working."""
    InvitationService(db, settings).revoke(patient, user, invitation_id, now)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/invitations/accept", response_model=InvitationAcceptedOut)
def accept_invitation(
    body: InvitationAcceptIn, db: DbSession, settings: Settings, now: Now
) -> InvitationAcceptedOut:
    """Accept an invitation with the token from its link (no sign-in needed: the link is the
    proof). Creates the account when the address has none; works once."""
    return InvitationService(db, settings).accept(body, now)
