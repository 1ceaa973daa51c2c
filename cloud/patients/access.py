"""Who may see which patient: the one place the ownership rule lives.

Admins see every patient; doctors and caregivers see the patients linked to them; a patient
sees only themself. A patient outside the caller's reach is reported as not found (404), never
as forbidden, so that patient ids do not leak. What a role may *change* is decided by
`require_role` in the routers; whose data it is, always here.

Given an `AccessAudit`, every patient the check admits is recorded in the access log by the
same statement (a data-modifying CTE) and committed at once, so reads are recorded too; a list
that shows several patients' data records each patient on it (`record`).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any, TypeVar

from sqlalchemy import (
    ARRAY,
    ColumnElement,
    Insert,
    Select,
    String,
    Text,
    Uuid,
    bindparam,
    func,
    insert,
    select,
    true,
)
from sqlalchemy.orm import Session, aliased

from cloud.audit.hook import AccessAudit
from cloud.audit.models import AccessLogEntry
from cloud.errors import NotFoundError
from cloud.patients.models import Caregiver, Doctor, Patient, PatientCaregiver, PatientDoctor
from cloud.users.models import User
from shared.enums import Role

SelectT = TypeVar("SelectT", bound=Select[Any])


def _visible_ids(role: Role, user_id: Any) -> Select[Any] | None:
    """The ids of the patients a user of `role` with id `user_id` may see; None: all (admin)."""
    match role:
        case Role.ADMIN:
            return None
        case Role.DOCTOR:
            return (
                select(PatientDoctor.patient_id)
                .join(Doctor, Doctor.id == PatientDoctor.doctor_id)
                .where(Doctor.user_id == user_id)
            )
        case Role.CAREGIVER:
            return (
                select(PatientCaregiver.patient_id)
                .join(Caregiver, Caregiver.id == PatientCaregiver.caregiver_id)
                .where(Caregiver.user_id == user_id)
            )
        case Role.PATIENT:
            return select(Patient.id).where(Patient.user_id == user_id)


def visible_patient_ids(user: User) -> Select[Any] | None:
    """A query of the patient ids `user` may see, or None when they may see all (admin)."""
    return _visible_ids(user.role, user.id)


def visible(user: User, patient_column: Any) -> ColumnElement[bool]:
    """A WHERE condition keeping rows whose `patient_column` the user may see."""
    ids = visible_patient_ids(user)
    return true() if ids is None else patient_column.in_(ids.scalar_subquery())


def _patient_if_visible(role: Role) -> Select[Patient]:
    ids = _visible_ids(role, bindparam("user_id"))
    statement = select(Patient).where(Patient.id == bindparam("patient_id"))
    return statement if ids is None else statement.where(Patient.id.in_(ids.scalar_subquery()))


# Every patient route runs this check, so its statements are built once per role, not per
# request (building and cache-keying a statement costs as much as running it).
_PATIENT_IF_VISIBLE = {role: _patient_if_visible(role) for role in Role}
_PATIENT_ID_IF_VISIBLE = {
    role: statement.with_only_columns(Patient.id) for role, statement in _PATIENT_IF_VISIBLE.items()
}


def _access_record(patient_id: ColumnElement[Any]) -> Insert:
    """An access-log row for each `patient_id` (a column of the rows selected), the who, what
    and where taken from the audit's bound parameters."""
    return insert(AccessLogEntry).from_select(
        ["user_id", "role", "action", "patient_id", "resource", "path", "address"],
        select(
            bindparam("audit_user_id", type_=Uuid()),
            bindparam("audit_role", type_=String(32)),
            bindparam("audit_action", type_=Text()),
            patient_id,
            bindparam("audit_resource", type_=Text()),
            bindparam("audit_path", type_=Text()),
            bindparam("audit_address", type_=Text()),
        ),
    )


def _audited(role: Role) -> Select[Patient]:
    """The visible patient, and an access-log row for it, in one statement."""
    found = _PATIENT_IF_VISIBLE[role].cte("visible_patient")
    record = _access_record(found.c.id).cte("access_record")
    return select(aliased(Patient, found)).add_cte(record)


_AUDITED_PATIENT_IF_VISIBLE = {role: _audited(role) for role in Role}
# A list's rows in one statement: PostgreSQL builds them from the array of ids, where an
# executemany of ORM dicts cost a 50-patient page more than its adherence figures.
_RECORD_EACH = _access_record(
    func.unnest(bindparam("patient_ids", type_=ARRAY(Uuid()))).column_valued("patient_id")
)


class PatientAccess:
    """Resolves patient ids for one user, refusing (as not found) those out of reach.

    `audit` None is for checks that are not a person reaching a patient's data.
    """

    def __init__(self, db: Session, user: User, audit: AccessAudit | None) -> None:
        self.db = db
        self.user = user
        self.audit = audit

    def can_see(self, patient_id: uuid.UUID) -> bool:
        """Whether the user may see this patient (False also when it does not exist)."""
        if self.audit is not None:
            return self._audited(patient_id) is not None
        found = self.db.scalar(_PATIENT_ID_IF_VISIBLE[self.user.role], self._params(patient_id))
        return found is not None

    def require(self, patient_id: uuid.UUID) -> Patient:
        """The patient, or NotFoundError if it does not exist or is out of reach."""
        if self.audit is not None:
            patient = self._audited(patient_id)
        else:
            patient = self.db.scalar(_PATIENT_IF_VISIBLE[self.user.role], self._params(patient_id))
        if patient is None:
            raise NotFoundError("patient not found")
        return patient

    def _audited(self, patient_id: uuid.UUID) -> Patient | None:
        assert self.audit is not None
        params: dict[str, object] = {
            **self._params(patient_id),
            **self.audit.params(),
            "audit_user_id": self.user.id,
            "audit_role": self.user.role.value,
        }
        patient: Patient | None = self.db.scalar(
            _AUDITED_PATIENT_IF_VISIBLE[self.user.role], params
        )
        # Reads commit nothing else: the record must not wait for (or die with) a later write.
        self.db.commit()
        return patient

    def record(self, patient_ids: Iterable[uuid.UUID | None]) -> None:
        """Record one access-log row per patient of a list the user was shown (nothing without
        an audit, or for an empty list); committed at once, as a single check is."""
        ids = sorted({patient_id for patient_id in patient_ids if patient_id is not None})
        if self.audit is None or not ids:
            return
        # On the connection: the session would take an ORM INSERT ... SELECT for a bulk insert.
        self.db.connection().execute(
            _RECORD_EACH,
            {
                **self.audit.params(),
                "audit_user_id": self.user.id,
                "audit_role": self.user.role.value,
                "patient_ids": ids,
            },
        )
        self.db.commit()

    def _params(self, patient_id: uuid.UUID) -> dict[str, object]:
        if self.user.role is Role.ADMIN:
            return {"patient_id": patient_id}
        return {"patient_id": patient_id, "user_id": self.user.id}

    def restrict(self, statement: SelectT, patient_column: Any) -> SelectT:
        """`statement` limited to rows of patients the user may see."""
        return statement.where(visible(self.user, patient_column))
