"""The resource types the interface serves, their sources, and what `date=` means for each.

The CapabilityStatement is written from this table, so it says what the code does.
"""

from __future__ import annotations

from dataclasses import dataclass

from cloud.fhir.resources import (
    communication,
    device,
    flag,
    medication,
    medication_administration,
    medication_request,
    observation,
    patient,
    practitioner,
    related_person,
)
from cloud.fhir.sources import Source


@dataclass(frozen=True)
class ResourceType:
    """A FHIR type: where its resources come from, and how its searches read."""

    name: str
    sources: tuple[Source, ...]
    patient_means: str
    date_means: str | None = None
    creatable: bool = False
    # In `$everything`, resources dated before the range that still apply in it (plan versions).
    in_force_before: bool = False

    @property
    def dated(self) -> bool:
        return self.date_means is not None


TYPES: dict[str, ResourceType] = {
    kind.name: kind
    for kind in (
        ResourceType("Patient", (patient.SOURCE,), "the patient itself"),
        ResourceType("Practitioner", (practitioner.SOURCE,), "doctors linked to the patient"),
        ResourceType("RelatedPerson", (related_person.SOURCE,), "caregivers of the patient"),
        ResourceType("Device", (device.SOURCE,), "devices assigned to the patient"),
        ResourceType("Medication", (medication.SOURCE,), "the patient's medications"),
        ResourceType(
            "MedicationRequest",
            (medication_request.SOURCE,),
            "plan items of the patient's plan versions",
            "when the plan version was issued (authoredOn)",
            creatable=True,
            in_force_before=True,
        ),
        ResourceType(
            "MedicationAdministration",
            (medication_administration.SOURCE,),
            "the patient's decided doses",
            "when the dose was due",
        ),
        ResourceType(
            "Observation",
            (observation.SYMPTOMS, observation.ADHERENCE),
            "the patient's symptoms and daily adherence",
            "when the symptom was reported; the start of the adherence day",
        ),
        ResourceType("Flag", (flag.SOURCE,), "the patient's alerts", "when the alert was raised"),
        ResourceType(
            "Communication",
            (communication.SOURCE,),
            "what the patient said to the device and its replies",
            "when it was said (sent)",
        ),
    )
}
