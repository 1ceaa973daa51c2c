"""Inviting people to a patient's care team by email, and accepting an invitation once.

Admins and the patient's doctors invite caregivers and doctors; the patient's primary
caregiver invites caregivers. Accepting creates the account (or links the existing one of
that address, with the invited role) and the care-team link, in one transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import exists, select, update
from sqlalchemy.orm import Session

from cloud.config import CloudSettings
from cloud.errors import (
    ConflictError,
    GoneError,
    NotFoundError,
    PermissionDeniedError,
    ValidationFailedError,
)
from cloud.invitations.models import Invitation
from cloud.invitations.schemas import InvitationAcceptedOut, InvitationAcceptIn, InvitationIn
from cloud.patients.models import Caregiver, Doctor, Patient, PatientCaregiver, PatientDoctor
from cloud.users.credentials import password_policy
from cloud.users.mail import AccountEmail
from cloud.users.models import User
from cloud.users.one_time import new_link_token, token_hash
from cloud.users.passwords import hash_password
from cloud.users.service import UserService
from shared.enums import Role

# Who can be invited (patients get their login from an admin, admins are made by admins).
INVITED_ROLES = (Role.CAREGIVER, Role.DOCTOR)


@dataclass(frozen=True)
class OpenInvitation:
    """A usable invitation, its patient, who sent it, and the account of its address if any."""

    invitation: Invitation
    patient: Patient
    inviter: User | None
    account: User | None


class InvitationService:
    """Invitations of one deployment; owns its transaction."""

    def __init__(self, db: Session, settings: CloudSettings) -> None:
        self.db = db
        self.settings = settings

    def invite(
        self, patient: Patient, inviter: User, spec: InvitationIn, now: datetime
    ) -> tuple[Invitation, AccountEmail]:
        """A new invitation and the email that carries its link (an older pending one for the
        same address and patient is revoked)."""
        self._may_invite(patient, inviter, spec.role)
        email = spec.email.strip().lower()
        if self._in_care_team(patient.id, email):
            raise ConflictError(f"{email} is already in this patient's care team")
        self.db.execute(
            update(Invitation)
            .where(
                *self._pending(now), Invitation.patient_id == patient.id, Invitation.email == email
            )
            .values(revoked_at=now)
        )
        token, digest = new_link_token()
        invitation = Invitation(
            id=uuid.uuid4(),
            patient_id=patient.id,
            email=email,
            role=spec.role,
            relationship=spec.relationship,
            invited_by=inviter.id,
            token_hash=digest,
            expires_at=now + timedelta(days=self.settings.invitation_days),
        )
        self.db.add(invitation)
        self.db.commit()
        # The web app's page that accepts it (cloud/web/invitation_pages.py).
        base = self.settings.public_url.rstrip("/")
        link = f"{base}/app/invitations/accept?token={token}"
        message = AccountEmail(
            email,
            f"Join {patient.full_name}'s care team",
            f"Hello,\n\n{inviter.full_name} invites you to {patient.full_name}'s care team on "
            f"MedMind as {spec.role.value}. To accept, open this link within "
            f"{self.settings.invitation_days} days:\n\n{link}\n\n"
            "It works once. If you did not expect this, ignore this email.\n",
        )
        return invitation, message

    def pending(self, patient: Patient, viewer: User, now: datetime) -> Sequence[Invitation]:
        """Invitations of the patient not yet accepted, revoked or expired, newest first."""
        self._may_invite(patient, viewer, Role.CAREGIVER)
        return self.db.scalars(
            select(Invitation)
            .where(*self._pending(now), Invitation.patient_id == patient.id)
            .order_by(Invitation.created_at.desc(), Invitation.id)
        ).all()

    def revoke(
        self, patient: Patient, revoker: User, invitation_id: uuid.UUID, now: datetime
    ) -> None:
        """Make a pending invitation's link stop working."""
        self._may_invite(patient, revoker, Role.CAREGIVER)
        revoked = self.db.execute(
            update(Invitation)
            .where(
                *self._pending(now),
                Invitation.id == invitation_id,
                Invitation.patient_id == patient.id,
            )
            .values(revoked_at=now)
        ).rowcount  # type: ignore[attr-defined]
        if not revoked:
            self.db.rollback()
            raise NotFoundError("no pending invitation with this id for this patient")
        self.db.commit()

    def open(self, token: str, now: datetime) -> OpenInvitation:
        """What a still usable invitation link offers, without using it (refused as `accept`
        refuses it)."""
        invitation = self._usable(token, now, lock=False)
        patient = self.db.get(Patient, invitation.patient_id)
        inviter = self.db.get(User, invitation.invited_by) if invitation.invited_by else None
        account = self.db.scalar(select(User).where(User.email == invitation.email))
        assert patient is not None  # invitations go with their patient (ON DELETE CASCADE)
        return OpenInvitation(invitation, patient, inviter, account)

    def accept(self, spec: InvitationAcceptIn, now: datetime) -> InvitationAcceptedOut:
        """Join the care team the link invites to; the link then stops working."""
        invitation = self._usable(spec.token, now, lock=True)
        user = self.db.scalar(select(User).where(User.email == invitation.email))
        created = user is None
        if user is None:
            user = self._new_account(invitation, spec)
        elif not user.is_active or user.role is not invitation.role:
            self.db.rollback()
            raise ConflictError(
                f"the account of {invitation.email} is deactivated or not a "
                f"{invitation.role.value}; ask an admin"
            )
        self._link(invitation, user)
        invitation.accepted_at = now
        invitation.accepted_by = user.id
        self.db.commit()
        return InvitationAcceptedOut(
            user_id=user.id,
            patient_id=invitation.patient_id,
            role=invitation.role,
            account_created=created,
        )

    def _usable(self, token: str, now: datetime, *, lock: bool) -> Invitation:
        statement = select(Invitation).where(Invitation.token_hash == token_hash(token))
        invitation = self.db.scalar(statement.with_for_update() if lock else statement)
        refusal: Exception | None = None
        if invitation is None:
            refusal = NotFoundError("this invitation link is not valid; check it was copied whole")
        elif invitation.accepted_at is not None:
            refusal = GoneError("this invitation was already accepted; sign in instead")
        elif invitation.revoked_at is not None:
            refusal = GoneError("this invitation was withdrawn; ask for a new one")
        elif invitation.expires_at <= now:
            refusal = GoneError("this invitation has expired; ask for a new one")
        if refusal is not None:
            self.db.rollback()
            raise refusal
        assert invitation is not None
        return invitation

    def _new_account(self, invitation: Invitation, spec: InvitationAcceptIn) -> User:
        if not spec.full_name or not spec.password:
            self.db.rollback()
            raise ValidationFailedError(
                "this address has no account yet: send full_name and password to create it"
            )
        password_policy(self.settings).check(spec.password, [invitation.email, spec.full_name])
        user = User(
            id=uuid.uuid4(),
            email=invitation.email,
            full_name=spec.full_name,
            role=invitation.role,
            password_hash=hash_password(spec.password),
        )
        self.db.add(user)
        self.db.flush()
        UserService(self.db, self.settings).ensure_profile(user)
        return user

    def _link(self, invitation: Invitation, user: User) -> None:
        if self._in_care_team(invitation.patient_id, user.email):
            return
        if invitation.role is Role.DOCTOR:
            doctor_id = self.db.scalar(select(Doctor.id).where(Doctor.user_id == user.id))
            self.db.add(PatientDoctor(patient_id=invitation.patient_id, doctor_id=doctor_id))
        else:
            caregiver_id = self.db.scalar(select(Caregiver.id).where(Caregiver.user_id == user.id))
            self.db.add(
                PatientCaregiver(
                    patient_id=invitation.patient_id,
                    caregiver_id=caregiver_id,
                    relationship=invitation.relationship,
                )
            )
        self.db.flush()

    def invitable_roles(self, patient: Patient, user: User) -> tuple[Role, ...]:
        """The roles `user` may invite to the patient's care team (none: may not manage its
        invitations). Admins and linked doctors invite anyone; a primary caregiver invites
        caregivers."""
        if user.role in (Role.ADMIN, Role.DOCTOR):
            return INVITED_ROLES
        primary = self.db.scalar(
            select(
                exists().where(
                    PatientCaregiver.patient_id == patient.id,
                    PatientCaregiver.is_primary,
                    PatientCaregiver.caregiver_id == Caregiver.id,
                    Caregiver.user_id == user.id,
                )
            )
        )
        return (Role.CAREGIVER,) if primary else ()

    def _may_invite(self, patient: Patient, user: User, role: Role) -> None:
        if role not in self.invitable_roles(patient, user):
            raise PermissionDeniedError(
                "only admins, the patient's doctors and primary caregiver manage invitations "
                "(a primary caregiver invites caregivers)"
            )

    def _in_care_team(self, patient_id: uuid.UUID, email: str) -> bool:
        caregivers = (
            select(User.id)
            .join(Caregiver, Caregiver.user_id == User.id)
            .join(PatientCaregiver, PatientCaregiver.caregiver_id == Caregiver.id)
            .where(PatientCaregiver.patient_id == patient_id, User.email == email)
        )
        doctors = (
            select(User.id)
            .join(Doctor, Doctor.user_id == User.id)
            .join(PatientDoctor, PatientDoctor.doctor_id == Doctor.id)
            .where(PatientDoctor.patient_id == patient_id, User.email == email)
        )
        return bool(self.db.scalar(select(exists(caregivers.union_all(doctors).subquery()))))

    @staticmethod
    def _pending(now: datetime) -> tuple[Any, ...]:
        return (
            Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None),
            Invitation.expires_at > now,
        )
