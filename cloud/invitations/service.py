"""Inviting people to a patient's care team by email, and accepting an invitation once.

Admins and the patient's doctors invite caregivers and doctors; the patient's primary
caregiver invites caregivers. Accepting creates the account (or links the existing one of
that address, with the invited role) and the care-team link, in one transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
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
        link = f"{self.settings.public_url.rstrip('/')}/accept-invitation?token={token}"
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

    def accept(self, spec: InvitationAcceptIn, now: datetime) -> InvitationAcceptedOut:
        """Join the care team the link invites to; the link then stops working."""
        invitation = self.db.scalar(
            select(Invitation)
            .where(Invitation.token_hash == token_hash(spec.token))
            .with_for_update()
        )
        if invitation is None:
            self.db.rollback()
            raise NotFoundError("this invitation link is not valid; check it was copied whole")
        if invitation.accepted_at is not None:
            self.db.rollback()
            raise GoneError("this invitation was already accepted; sign in instead")
        if invitation.revoked_at is not None or invitation.expires_at <= now:
            self.db.rollback()
            raise GoneError("this invitation has expired or was withdrawn; ask for a new one")
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

    def _may_invite(self, patient: Patient, user: User, role: Role) -> None:
        """Admins and linked doctors invite anyone; a primary caregiver invites caregivers."""
        if user.role in (Role.ADMIN, Role.DOCTOR):
            return
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
        if not primary or role is not Role.CAREGIVER:
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
