"""Reads, searches and `$everything`, always within the caller's patients."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from cloud.audit.hook import AccessAudit
from cloud.fhir.outcome import FhirError, Issue
from cloud.fhir.registry import TYPES, ResourceType
from cloud.fhir.resources.common import Json, parse_uuid
from cloud.fhir.search import DateBound, SearchParams, instants
from cloud.fhir.sources import Scope
from cloud.patients.access import PatientAccess, visible
from cloud.patients.models import Patient
from cloud.users.models import User

UTC_ZONE = ZoneInfo("UTC")


def resource_type(name: str) -> ResourceType:
    """The served type called `name`; FhirError 404 for any other."""
    kind = TYPES.get(name)
    if kind is None:
        raise FhirError(404, [Issue("not-supported", f"resource type {name!r} is not served")])
    return kind


def not_found(name: str, resource_id: str) -> FhirError:
    """The answer for a resource that does not exist or is out of the caller's reach."""
    return FhirError(404, [Issue("not-found", f"{name}/{resource_id} is not known")])


def patient_of(resource: Json) -> uuid.UUID | None:
    """The patient a resource is about: a Patient itself, or the one its `subject` or `patient`
    references (None for a resource about no patient, such as a Practitioner)."""
    if resource.get("resourceType") == "Patient":
        return parse_uuid(str(resource.get("id", "")))
    for field in ("subject", "patient"):
        reference = resource.get(field)
        if isinstance(reference, dict):
            target = str(reference.get("reference", ""))
            if target.startswith("Patient/"):
                return parse_uuid(target.removeprefix("Patient/"))
    return None


class FhirService:
    """FHIR reads for one user; read-only (imports are `PrescriptionImport`'s)."""

    def __init__(self, db: Session, user: User, now: datetime, audit: AccessAudit | None) -> None:
        self.db = db
        self.user = user
        self.now = now
        self.audit = audit

    def read(self, type_name: str, resource_id: str) -> Json:
        """One resource by id; 404 if it does not exist or the caller may not see it."""
        kind = resource_type(type_name)
        for source in kind.sources:
            found = source.read(self.db, Scope(self.user, now=self.now), resource_id)
            if found is not None:
                # The source checked who may see it; a look at a patient's resource is recorded.
                PatientAccess(self.db, self.user, self.audit).record([patient_of(found)])
                return found
        raise not_found(type_name, resource_id)

    def _zone(self, patient_id: uuid.UUID | None) -> ZoneInfo:
        if patient_id is None:
            return UTC_ZONE
        timezone = self.db.scalar(
            select(Patient.timezone).where(Patient.id == patient_id, visible(self.user, Patient.id))
        )
        return ZoneInfo(timezone) if timezone else UTC_ZONE

    def search(self, type_name: str, params: SearchParams) -> tuple[list[Json], int]:
        """One page of the matching resources and how many match in all."""
        kind = resource_type(type_name)
        if params.patient_id is not None:
            # A search for one patient is a look at their data: the access log records it.
            PatientAccess(self.db, self.user, self.audit).can_see(params.patient_id)
        since, before = instants(params.dates, self._zone(params.patient_id))
        scope = Scope(self.user, params.patient_id, since, before, self.now)
        resources: list[Json] = []
        total = 0
        skip, wanted = params.offset, params.count
        # A type with several sources pages through them one after the other.
        for source in kind.sources:
            matching = source.count(self.db, scope)
            total += matching
            if wanted > 0 and skip < matching:
                page = source.fetch(self.db, scope, skip, wanted)
                resources.extend(page)
                wanted -= len(page)
            skip = max(0, skip - matching)
        if params.patient_id is None:
            # A search across patients records each patient on the page.
            PatientAccess(self.db, self.user, self.audit).record(map(patient_of, resources))
        return resources, total

    def everything(self, patient_id: uuid.UUID, start: date | None, end: date | None) -> list[Json]:
        """Every resource of the patient; dated ones only within local dates `start`..`end`."""
        patient = PatientAccess(self.db, self.user, self.audit).require(patient_id)
        bounds = [DateBound("ge", start)] if start else []
        bounds += [DateBound("le", end)] if end else []
        since, before = instants(bounds, ZoneInfo(patient.timezone))
        scope = Scope(self.user, patient.id, since, before, self.now)
        in_force = Scope(self.user, patient.id, None, before, self.now)
        return [
            resource
            for kind in TYPES.values()
            for source in kind.sources
            for resource in source.fetch(
                self.db, in_force if kind.in_force_before else scope, 0, None
            )
        ]
