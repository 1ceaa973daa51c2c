"""Observations: `symptom_logs` -> one per reported symptom, and daily adherence per local day.

A symptom's `code` is what the patient reported and its value the severity (SNOMED CT severity
qualifiers). Daily adherence is the percentage of the day's scheduled doses taken, with the
counts as components; it is read from the same function as the REST API's adherence
(`DoseService.adherence`), so both always say the same.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cloud.doses.models import DoseOccurrence
from cloud.doses.schemas import DayAdherence
from cloud.doses.service import DoseService
from cloud.fhir import systems
from cloud.fhir.resources.common import Json, coding, concept, instant, ref
from cloud.fhir.sources import Scope, TableSource
from cloud.patients.access import visible
from cloud.patients.models import Patient
from cloud.symptoms.models import SymptomLog
from shared.enums import Severity
from shared.schedule import local_day_bounds

# SNOMED CT qualifier values for severity.
_SEVERITY = {
    Severity.MILD: ("255604002", "Mild"),
    Severity.MODERATE: ("6736007", "Moderate"),
    Severity.SEVERE: ("24484000", "Severe"),
}
_SURVEY = coding(systems.OBSERVATION_CATEGORY, "survey", "Survey")
_THERAPY = coding(systems.OBSERVATION_CATEGORY, "therapy", "Therapy")
ADHERENCE_CODE = coding(
    systems.OBSERVATION_CODE, "daily-adherence", "Scheduled doses taken on the day"
)
_COUNTS = ("scheduled", "on_time", "late", "missed", "skipped", "pending")
# Made once: a year of days repeats the same six component codes.
_COUNT_CODES = {
    name: concept(
        f"Doses {name.replace('_', ' ')}",
        coding(systems.OBSERVATION_CODE, f"doses-{name.replace('_', '-')}"),
    )
    for name in _COUNTS
}


def symptom_resource(row: Any) -> Json:
    """The Observation of a `(symptom,)` row."""
    symptom: SymptomLog = row[0]
    resource: Json = {
        "resourceType": "Observation",
        "id": str(symptom.id),
        "status": "final",
        "category": [concept(None, _SURVEY)],
        "code": concept(symptom.symptom, coding(systems.OBSERVATION_CODE, "symptom", "Symptom")),
        "subject": ref("Patient", symptom.patient_id),
        "effectiveDateTime": instant(symptom.reported_at),
        "performer": [ref("Patient", symptom.patient_id)],
    }
    if symptom.severity is not None:
        code, display = _SEVERITY[symptom.severity]
        resource["valueCodeableConcept"] = concept(display, coding(systems.SNOMED, code, display))
    if symptom.body_part:
        resource["bodySite"] = concept(symptom.body_part)
    if symptom.note:
        resource["note"] = [{"text": symptom.note}]
    if symptom.device_pk is not None:
        resource["device"] = ref("Device", symptom.device_pk)
    return resource


SYMPTOMS = TableSource(
    statement=select(SymptomLog),
    id_column=SymptomLog.id,
    order=(SymptomLog.reported_at, SymptomLog.id),
    to_resource=symptom_resource,
    patient=SymptomLog.patient_id,
    date=SymptomLog.reported_at,
)

_ADHERENCE_ID = re.compile(r"^adherence-([0-9a-f-]{36})-(\d{8})$")


def adherence_id(patient_id: uuid.UUID, local_date: date) -> str:
    """The stable id of a patient's adherence on a local date."""
    return f"adherence-{patient_id}-{local_date:%Y%m%d}"


def adherence_resource(patient_id: uuid.UUID, zone: ZoneInfo, figures: DayAdherence) -> Json:
    """The Observation of one day's adherence figures."""
    start, end = local_day_bounds(figures.local_date, zone)
    return {
        "resourceType": "Observation",
        "id": adherence_id(patient_id, figures.local_date),
        "status": "preliminary" if figures.pending else "final",
        "category": [concept(None, _THERAPY)],
        "code": concept("Daily medication adherence", ADHERENCE_CODE),
        "subject": ref("Patient", patient_id),
        "effectivePeriod": {
            "start": start.astimezone(zone).isoformat(),
            "end": end.astimezone(zone).isoformat(),
        },
        "valueQuantity": {
            "value": figures.adherence_pct,
            "unit": "%",
            "system": systems.UCUM,
            "code": "%",
        },
        "component": [
            {"code": _COUNT_CODES[name], "valueInteger": getattr(figures, name)} for name in _COUNTS
        ],
    }


def _local_dates(zone: ZoneInfo, first: date, last: date, scope: Scope) -> tuple[date, date]:
    # Days whose start lies within [since, before).
    if scope.since is not None:
        since = scope.since.astimezone(zone)
        first_in = since.date()
        if local_day_bounds(first_in, zone)[0] < scope.since:
            first_in += timedelta(days=1)
        first = max(first, first_in)
    if scope.before is not None:
        last = min(last, (scope.before - timedelta(microseconds=1)).astimezone(zone).date())
    return first, last


@dataclass(frozen=True)
class AdherenceSource:
    """One Observation per patient and local day with a decided scheduled dose."""

    dated: bool = True

    def _all(self, db: Session, scope: Scope) -> list[Json]:
        occ = DoseOccurrence
        spans = (
            select(Patient.id, Patient.timezone, func.min(occ.local_date), func.max(occ.local_date))
            .join(occ, occ.patient_id == Patient.id)
            .where(visible(scope.user, Patient.id), occ.as_needed.is_(False))
            .group_by(Patient.id, Patient.timezone)
            .order_by(Patient.id)
        )
        if scope.patient_id is not None:
            spans = spans.where(Patient.id == scope.patient_id)
        resources: list[Json] = []
        doses = DoseService(db, lambda: scope.now)
        for patient_id, timezone, earliest, latest in db.execute(spans).all():
            zone = ZoneInfo(timezone)
            first, last = _local_dates(zone, earliest, latest, scope)
            if first > last:
                continue
            for figures in doses.adherence(patient_id, first, last).days:
                if figures.adherence_pct is not None:
                    resources.append(adherence_resource(patient_id, zone, figures))
        return resources

    def count(self, db: Session, scope: Scope) -> int:
        return len(self._all(db, scope))

    def fetch(self, db: Session, scope: Scope, offset: int, limit: int | None) -> list[Json]:
        found = self._all(db, scope)
        return found[offset:] if limit is None else found[offset : offset + limit]

    def read(self, db: Session, scope: Scope, resource_id: str) -> Json | None:
        match = _ADHERENCE_ID.match(resource_id)
        if match is None:
            return None
        try:
            patient_id = uuid.UUID(match[1])
            local_date = datetime.strptime(match[2], "%Y%m%d").date()
        except ValueError:
            return None
        timezone = db.scalar(
            select(Patient.timezone).where(
                Patient.id == patient_id, visible(scope.user, Patient.id)
            )
        )
        if timezone is None:
            return None
        doses = DoseService(db, lambda: scope.now)
        day = doses.adherence(patient_id, local_date, local_date).days
        if not day or day[0].adherence_pct is None:
            return None
        return adherence_resource(patient_id, ZoneInfo(timezone), day[0])


ADHERENCE = AdherenceSource()
