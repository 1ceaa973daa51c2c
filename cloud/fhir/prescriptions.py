"""Prescriptions in: MedicationRequests (one, or a Bundle of them) become one new plan version.

Each request adds a line to the patient's current plan, or replaces the line its MedMind
identifier names (`urn:medmind:plan-item`); an `on-hold` one makes or keeps that line paused;
a `stopped`, `cancelled` or `completed` request removes that line. The new version goes
through `PlanService.save_version`, the same validation and device push as an edit in the app.
Whatever a plan cannot express is refused with an OperationOutcome naming the element and
why, and then nothing is changed. Elements that only describe the prescription (narrative,
identifiers of other systems, requester, notes, dispensing) are not kept; `docs/fhir.md` lists
them.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from cloud.audit.hook import AccessAudit
from cloud.errors import ValidationFailedError
from cloud.fhir import systems
from cloud.fhir.outcome import FhirError, Issue, invalid
from cloud.fhir.resources import medication_request
from cloud.fhir.resources.common import Json
from cloud.fhir.search import NO_PATIENT, patient_reference
from cloud.fhir.sources import Scope
from cloud.medications.models import Medication
from cloud.patients.access import PatientAccess
from cloud.plans.schemas import PlanItemIn, PlanVersionIn
from cloud.plans.service import PlanService
from cloud.users.models import User

ADDING = {"active", "draft", "on-hold"}
# A line on hold stays in the plan, paused (no doses) until an active request resumes it.
PAUSING = {"on-hold"}
STOPPING = {"stopped", "cancelled", "completed"}
ORDERS = {"order", "original-order", "reflex-order", "filler-order", "instance-order", "plan"}
# Elements that describe a prescription without changing what the device does.
_DESCRIPTIVE = {
    "id",
    "meta",
    "text",
    "language",
    "extension",
    "identifier",
    "authoredOn",
    "requester",
    "recorder",
    "note",
    "groupIdentifier",
    "category",
    "reasonCode",
    "reasonReference",
    "encounter",
    "insurance",
    "supportingInformation",
    "courseOfTherapyType",
    "dispenseRequest",
    "substitution",
}
_READ = {
    "resourceType",
    "status",
    "intent",
    "subject",
    "medicationCodeableConcept",
    "medicationReference",
    "contained",
    "dosageInstruction",
    "priority",
    "doNotPerform",
}
_DOSAGE = {
    "extension",
    "sequence",
    "text",
    "patientInstruction",
    "timing",
    "asNeededBoolean",
    "doseAndRate",
    "maxDosePerPeriod",
}
_REPEAT = {"boundsPeriod", "frequency", "period", "periodUnit", "timeOfDay", "dayOfWeek"}
_WEEKDAYS = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"}
_TIME = re.compile(r"^([01]\d|2[0-3]):([0-5]\d):(\d\d)(\.\d+)?$")
# Where each plan field comes from, for naming the element a plan rule refused.
_ELEMENTS = {
    "medication_name": "medicationCodeableConcept",
    "dose": "dosageInstruction[0].doseAndRate[0].doseQuantity",
    "unit": "dosageInstruction[0].doseAndRate[0].doseQuantity",
    "instructions": "dosageInstruction[0].text",
    "times_of_day": "dosageInstruction[0].timing.repeat.timeOfDay",
    "days_of_week": "dosageInstruction[0].timing.repeat.dayOfWeek",
    "every_n_days": "dosageInstruction[0].timing.repeat.period",
    "start_date": "dosageInstruction[0].timing.repeat.boundsPeriod.start",
    "end_date": "dosageInstruction[0].timing.repeat.boundsPeriod.end",
    "as_needed": "dosageInstruction[0].asNeededBoolean",
    "max_per_day": "dosageInstruction[0].maxDosePerPeriod",
    "on_time_minutes": f"dosageInstruction[0].extension('{systems.ON_TIME_MINUTES}')",
    "late_window_minutes": f"dosageInstruction[0].extension('{systems.LATE_WINDOW_MINUTES}')",
}


@dataclass
class Prescription:
    """One parsed MedicationRequest."""

    where: str
    patient_id: uuid.UUID
    stop: bool
    continues: uuid.UUID | None
    fields: dict[str, Any] = field(default_factory=dict)
    timezone: str | None = None
    codes: list[Json] = field(default_factory=list)
    medication_id: uuid.UUID | None = None


class _Reader:
    """Reads one MedicationRequest, collecting an issue for everything it cannot take."""

    def __init__(self, resource: Json, where: str, bundled: Mapping[str, tuple[Json, str]]) -> None:
        self.resource = resource
        self.where = where
        # Medications sent in the same Bundle, by the references that may name them.
        self.bundled = bundled
        self.issues: list[Issue] = []

    def refuse(self, path: str, why: str) -> None:
        self.issues.append(invalid(f"{self.where}.{path}" if path else self.where, why))

    def only(self, element: Any, path: str, allowed: set[str], why: str) -> dict[str, Any]:
        """`element` as an object, refusing any key outside `allowed`."""
        if not isinstance(element, dict):
            self.refuse(path, "must be a JSON object")
            return {}
        for key in element:
            if key.startswith("_") or key == "modifierExtension":
                self.refuse(
                    f"{path}.{key}" if path else key,
                    "modifier and primitive extensions cannot be honoured by a MedMind plan",
                )
            elif key not in allowed:
                self.refuse(f"{path}.{key}" if path else key, why)
        return element

    def read(self) -> Prescription | None:
        top = self.only(
            self.resource, "", _READ | _DESCRIPTIVE, "not expressible in a MedMind plan"
        )
        if top.get("resourceType") != "MedicationRequest":
            self.refuse("resourceType", "only MedicationRequest can be imported")
            return None
        status = top.get("status")
        if status not in ADDING | STOPPING:
            self.refuse(
                "status", f"{status!r} cannot become a plan line (use active, on-hold or stopped)"
            )
        if top.get("intent") not in ORDERS:
            self.refuse("intent", f"{top.get('intent')!r} is not an order to follow")
        if top.get("doNotPerform") is True:
            self.refuse("doNotPerform", "a plan holds only what to take")
        if top.get("priority", "routine") != "routine":
            self.refuse("priority", "a plan has no urgency other than routine")
        patient_id = self._patient(top.get("subject"))
        continues = self._continues(top.get("identifier", []))
        prescription = Prescription(self.where, patient_id, status in STOPPING, continues)
        if prescription.stop:
            if continues is None:
                self.refuse(
                    "identifier",
                    f"stopping needs the {systems.PLAN_ITEM} identifier of the line to stop",
                )
            return prescription
        prescription.fields["paused"] = status in PAUSING
        self._medication(top, prescription)
        self._dosage(top.get("dosageInstruction"), prescription)
        return prescription

    def _patient(self, subject: Any) -> uuid.UUID:
        reference = subject.get("reference") if isinstance(subject, dict) else None
        if not isinstance(reference, str) or not reference.startswith("Patient/"):
            self.refuse("subject", "must reference the Patient (Patient/<id>)")
            return NO_PATIENT
        return patient_reference(reference)

    def _continues(self, identifiers: Any) -> uuid.UUID | None:
        for identifier in identifiers if isinstance(identifiers, list) else []:
            if isinstance(identifier, dict) and identifier.get("system") == systems.PLAN_ITEM:
                try:
                    return uuid.UUID(str(identifier.get("value")))
                except ValueError:
                    self.refuse("identifier", "a plan-item identifier is a MedMind UUID")
        return None

    def _codes(self, concept: Any, path: str) -> tuple[str | None, list[Json]]:
        concept = self.only(concept, path, {"coding", "text"}, "not kept with a medication")
        codes: list[Json] = []
        for index, element in enumerate(concept.get("coding", [])):
            here = f"{path}.coding[{index}]"
            given = self.only(element, here, {"system", "code", "display"}, "not kept with a code")
            if not isinstance(given.get("system"), str) or not isinstance(given.get("code"), str):
                self.refuse(here, "a code is kept with its system and code")
                continue
            codes.append(dict(given))
        displays = [code["display"] for code in codes if isinstance(code.get("display"), str)]
        name = concept.get("text") or (displays[0] if displays else None)
        return (name if isinstance(name, str) else None), codes

    def _medication(self, top: Json, prescription: Prescription) -> None:
        if "medicationCodeableConcept" in top:
            name, codes = self._codes(top["medicationCodeableConcept"], "medicationCodeableConcept")
        elif "medicationReference" in top:
            name, codes = self._referenced(top, prescription)
        else:
            self.refuse("medication[x]", "the medication is required")
            return
        if not name:
            self.refuse("medication[x]", "the medication needs a name (text or a display)")
            return
        prescription.fields["medication_name"] = name
        prescription.codes = codes

    def _referenced(self, top: Json, prescription: Prescription) -> tuple[str | None, list[Json]]:
        reference = top["medicationReference"]
        target = reference.get("reference") if isinstance(reference, dict) else None
        if isinstance(target, str) and target in self.bundled:
            medication, path = self.bundled[target]
            return self._medication_codes(medication, path)
        if isinstance(target, str) and target.startswith("#"):
            for index, contained in enumerate(top.get("contained", [])):
                if isinstance(contained, dict) and contained.get("id") == target[1:]:
                    return self._medication_codes(contained, f"{self.where}.contained[{index}]")
        elif isinstance(target, str) and target.startswith("Medication/"):
            try:
                prescription.medication_id = uuid.UUID(target.removeprefix("Medication/"))
                return None, []
            except ValueError:
                pass
        self.refuse(
            "medicationReference",
            "must name a contained Medication or one of the patient's Medications",
        )
        return None, []

    def _medication_codes(self, medication: Json, path: str) -> tuple[str | None, list[Json]]:
        """The name and codes of a Medication sent with the request (`path` is absolute)."""
        where, self.where = self.where, path
        try:
            kept = self.only(
                medication,
                "",
                {"resourceType", "id", "meta", "text", "code", "form", "status"},
                "not kept with a medication",
            )
            return self._codes(kept.get("code", {}), "code")
        finally:
            self.where = where

    def _dosage(self, dosages: Any, prescription: Prescription) -> None:
        if not isinstance(dosages, list) or len(dosages) != 1:
            self.refuse(
                "dosageInstruction",
                "a plan line has exactly one dosage (send one MedicationRequest per schedule)",
            )
            return
        path = "dosageInstruction[0]"
        dosage = self.only(dosages[0], path, _DOSAGE, "not expressible in a MedMind plan")
        fields = prescription.fields
        texts = [dosage.get(key) for key in ("text", "patientInstruction")]
        fields["instructions"] = " ".join(text for text in texts if isinstance(text, str))
        for url, name in (
            (systems.ON_TIME_MINUTES, "on_time_minutes"),
            (systems.LATE_WINDOW_MINUTES, "late_window_minutes"),
        ):
            for extension in dosage.get("extension", []):
                if isinstance(extension, dict) and extension.get("url") == url:
                    fields[name] = extension.get("valueInteger")
        as_needed = dosage.get("asNeededBoolean", False)
        fields["as_needed"] = as_needed
        self._quantity(dosage.get("doseAndRate"), f"{path}.doseAndRate", fields)
        self._timing(dosage.get("timing"), f"{path}.timing", prescription)
        if "maxDosePerPeriod" in dosage:
            self._max_per_day(dosage["maxDosePerPeriod"], f"{path}.maxDosePerPeriod", fields)

    def _quantity(self, rates: Any, path: str, fields: dict[str, Any]) -> None:
        if not isinstance(rates, list) or len(rates) != 1:
            self.refuse(path, "one dose quantity is required")
            return
        rate = self.only(
            rates[0],
            f"{path}[0]",
            {"doseQuantity"},
            "only a dose quantity (no range, rate or type) fits a plan line",
        )
        quantity = self.only(
            rate.get("doseQuantity"),
            f"{path}[0].doseQuantity",
            {"value", "unit", "system", "code"},
            "not part of a dose",
        )
        unit = quantity.get("unit") or quantity.get("code")
        if not isinstance(quantity.get("value"), int | float) or not isinstance(unit, str):
            self.refuse(f"{path}[0].doseQuantity", "needs a value and a unit")
            return
        fields["dose"], fields["unit"] = float(quantity["value"]), unit

    def _timing(self, timing: Any, path: str, prescription: Prescription) -> None:
        timing = self.only(
            timing,
            path,
            {"repeat", "extension"},
            "a plan repeats by timing.repeat only (no event dates or timing codes)",
        )
        for extension in timing.get("extension", []):
            if isinstance(extension, dict) and extension.get("url") == systems.TZ_CODE:
                zone = extension.get("valueCode")
                try:
                    ZoneInfo(str(zone))
                    prescription.timezone = str(zone)
                except (ZoneInfoNotFoundError, ValueError):
                    self.refuse(f"{path}.extension", f"{zone!r} is not an IANA time zone")
        repeat = self.only(
            timing.get("repeat"),
            f"{path}.repeat",
            _REPEAT,
            "not expressible in a MedMind plan (times of day, weekdays and every N days are)",
        )
        fields = prescription.fields
        self._bounds(repeat.get("boundsPeriod"), f"{path}.repeat.boundsPeriod", fields)
        times = repeat.get("timeOfDay", [])
        fields["times_of_day"] = [self._time(text, f"{path}.repeat.timeOfDay") for text in times]
        days = repeat.get("dayOfWeek", [])
        for day in days:
            if day not in _WEEKDAYS:
                self.refuse(f"{path}.repeat.dayOfWeek", f"{day!r} is not a day of the week")
        fields["days_of_week"] = [day for day in days if day in _WEEKDAYS]
        unit, period = repeat.get("periodUnit", "d"), repeat.get("period", 1)
        if unit == "wk" and period == 1:
            unit = "d"
        if unit != "d" or not isinstance(period, int):
            self.refuse(f"{path}.repeat.period", "a plan repeats every whole number of days")
        else:
            fields["every_n_days"] = period
        frequency = repeat.get("frequency")
        if frequency is not None and frequency != len(times):
            self.refuse(
                f"{path}.repeat.frequency",
                "doses are placed at timeOfDay: frequency must be how many times of day there are",
            )

    def _bounds(self, period: Any, path: str, fields: dict[str, Any]) -> None:
        period = self.only(period, path, {"start", "end"}, "a plan line has dates only")
        for key, name in (("start", "start_date"), ("end", "end_date")):
            text = period.get(key)
            if text is None:
                if key == "start":
                    self.refuse(f"{path}.start", "a plan line needs its first day")
                continue
            try:
                fields[name] = date.fromisoformat(str(text)[:10])
            except ValueError:
                self.refuse(f"{path}.{key}", f"{text!r} is not a date")

    def _time(self, text: Any, path: str) -> str:
        match = _TIME.match(text) if isinstance(text, str) else None
        if match is None or match[3] != "00" or match[4]:
            self.refuse(path, f"{text!r}: a plan's times are whole minutes (HH:MM:00)")
            return ""
        return f"{match[1]}:{match[2]}"

    def _max_per_day(self, ratio: Any, path: str, fields: dict[str, Any]) -> None:
        ratio = self.only(ratio, path, {"numerator", "denominator"}, "not part of a daily maximum")
        denominator = ratio.get("denominator") or {}
        per_day = denominator.get("value") == 1 and "d" in (
            denominator.get("code"),
            denominator.get("unit"),
        )
        amount = (ratio.get("numerator") or {}).get("value")
        dose = fields.get("dose")
        if not per_day or not isinstance(amount, int | float) or not dose:
            self.refuse(path, "a plan's maximum is a number of doses per day (1 d)")
            return
        doses = amount / dose
        if doses != int(doses):
            self.refuse(path, "the daily maximum must be a whole number of doses")
            return
        fields["max_per_day"] = int(doses)


def _plan_issues(errors: list[Any], origins: list[str | None]) -> list[Issue]:
    """Pydantic or plan-rule errors as issues naming the FHIR element they came from."""
    issues: list[Issue] = []
    for error in errors:
        loc = [str(part) for part in error.get("loc", [])]
        where = "MedicationRequest"
        if len(loc) >= 2 and loc[0] == "items" and loc[1].isdigit():
            where = origins[int(loc[1])] or "MedicationRequest"
            loc = loc[2:]
        element = _ELEMENTS.get(loc[0], "dosageInstruction[0]") if loc else "dosageInstruction[0]"
        issues.append(invalid(f"{where}.{element}", str(error.get("msg"))))
    return issues


class PrescriptionImport:
    """Turns MedicationRequests into the patient's next plan version; owns its transaction."""

    def __init__(self, db: Session, user: User, now: datetime, audit: AccessAudit | None) -> None:
        self.db = db
        self.user = user
        self.now = now
        self.audit = audit

    def medication_request(self, resource: Json) -> Json:
        """Import one MedicationRequest; the resulting (or stopped) request."""
        return self._import([(resource, "MedicationRequest")])[0]

    def bundle(self, bundle: Json) -> list[Json]:
        """Import every MedicationRequest of a transaction, batch or collection Bundle."""
        if bundle.get("resourceType") != "Bundle":
            raise FhirError(400, [invalid("resourceType", "POST a Bundle here")])
        if bundle.get("type") not in ("transaction", "batch", "collection"):
            raise FhirError(400, [invalid("Bundle.type", "send a transaction Bundle")])
        entries = bundle.get("entry")
        if not isinstance(entries, list) or not entries:
            raise FhirError(422, [invalid("Bundle.entry", "no MedicationRequest to import")])
        resources: list[tuple[Json, str]] = []
        medications: dict[str, tuple[Json, str]] = {}
        for index, entry in enumerate(entries):
            resource = entry.get("resource") if isinstance(entry, dict) else None
            if not isinstance(resource, dict):
                raise FhirError(422, [invalid(f"Bundle.entry[{index}]", "has no resource")])
            where = f"Bundle.entry[{index}].resource"
            if resource.get("resourceType") == "Medication":
                # Named by the requests that reference it (fullUrl, often urn:uuid:, or its id).
                if isinstance(entry.get("fullUrl"), str):
                    medications[entry["fullUrl"]] = (resource, where)
                if isinstance(resource.get("id"), str):
                    medications[f"Medication/{resource['id']}"] = (resource, where)
            else:
                resources.append((resource, where))
        if not resources:
            raise FhirError(422, [invalid("Bundle.entry", "no MedicationRequest to import")])
        return self._import(resources, medications)

    def _import(
        self,
        resources: list[tuple[Json, str]],
        medications: Mapping[str, tuple[Json, str]] | None = None,
    ) -> list[Json]:
        prescriptions: list[Prescription] = []
        issues: list[Issue] = []
        for resource, where in resources:
            reader = _Reader(resource, where, medications or {})
            prescription = reader.read()
            issues += reader.issues
            if prescription is not None:
                prescriptions.append(prescription)
        if issues:
            raise FhirError(422, issues)
        patients = {prescription.patient_id for prescription in prescriptions}
        if len(patients) != 1:
            raise FhirError(422, [invalid("subject", "every request must be for one patient")])
        patient = PatientAccess(self.db, self.user, self.audit).require(patients.pop())
        try:
            return self._apply(patient.id, prescriptions)
        except BaseException:
            self.db.rollback()
            raise

    def _apply(self, patient_id: uuid.UUID, prescriptions: list[Prescription]) -> list[Json]:
        plans = PlanService(self.db)
        current = plans.current(patient_id)
        lines: dict[uuid.UUID, PlanItemIn] = {
            item.item_id: PlanItemIn.of_stored(item) for item in (current.items if current else [])
        }
        origins: dict[uuid.UUID, str | None] = dict.fromkeys(lines)
        zones = {p.timezone for p in prescriptions if p.timezone and not p.stop}
        issues: list[Issue] = []
        if len(zones) > 1:
            issues.append(invalid("timing.extension", "one plan has one time zone"))
        stopped: list[uuid.UUID] = []
        for prescription in prescriptions:
            known = prescription.continues in lines
            if prescription.stop:
                if not known:
                    issues.append(
                        invalid(
                            f"{prescription.where}.identifier",
                            "no line of the current plan has this identifier",
                        )
                    )
                else:
                    assert prescription.continues is not None
                    del lines[prescription.continues]
                    stopped.append(prescription.continues)
                continue
            item_id = prescription.continues if known else uuid.uuid4()
            assert item_id is not None
            try:
                medication_id = self._medication(patient_id, prescription)
                lines[item_id] = PlanItemIn(
                    item_id=item_id, medication_id=medication_id, **prescription.fields
                )
                origins[item_id] = prescription.where
            except ValidationError as exc:
                issues += _plan_issues(
                    [{**error, "loc": ["items", "0", *error["loc"]]} for error in exc.errors()],
                    [prescription.where],
                )
        timezone = zones.pop() if zones else None
        kept_zone = current.timezone if current else None
        untouched = [i for i, origin in origins.items() if origin is None and i in lines]
        if timezone and kept_zone and untouched and timezone != kept_zone:
            issues.append(
                invalid(
                    "timing.extension",
                    f"the plan's other lines are in {kept_zone}; a plan has one time zone",
                )
            )
        if issues:
            raise FhirError(422, issues)
        order = list(lines)
        imported = [origins[item_id] for item_id in order]
        spec = PlanVersionIn(
            timezone=timezone or kept_zone,
            note="Imported prescription",
            items=[lines[item_id] for item_id in order],
        )
        try:
            stored = plans.save_version(patient_id, spec, created_by=self.user.id, now=self.now)
        except ValidationFailedError as exc:
            raise FhirError(422, _plan_issues(exc.details or [], imported)) from None
        # Stored items keep the order of `spec` (a new line gets its id only when stored).
        rows = [item.id for item, origin in zip(stored.items, imported, strict=True) if origin]
        if current is not None:
            rows += [item.id for item in current.items if item.item_id in stopped]
        scope = Scope(self.user, now=self.now)
        found = [medication_request.SOURCE.read(self.db, scope, str(row)) for row in rows]
        return [resource for resource in found if resource is not None]

    def _medication(self, patient_id: uuid.UUID, prescription: Prescription) -> uuid.UUID | None:
        """The patient's medication the prescription names, made if its codes are new."""
        if prescription.medication_id is not None:
            medication = self.db.scalar(
                select(Medication).where(
                    Medication.id == prescription.medication_id,
                    Medication.patient_id == patient_id,
                )
            )
            if medication is None:
                raise FhirError(
                    422,
                    [
                        invalid(
                            f"{prescription.where}.medicationReference",
                            "not a medication of this patient",
                        )
                    ],
                )
            prescription.fields["medication_name"] = medication.name
            return medication.id
        if not prescription.codes:
            return None
        existing = self.db.scalar(
            select(Medication.id)
            .where(Medication.patient_id == patient_id, Medication.codes == prescription.codes)
            .limit(1)
        )
        if existing is not None:
            return existing
        medication = Medication(
            id=uuid.uuid4(),
            patient_id=patient_id,
            name=prescription.fields["medication_name"],
            codes=prescription.codes,
        )
        self.db.add(medication)
        self.db.flush()
        return medication.id
