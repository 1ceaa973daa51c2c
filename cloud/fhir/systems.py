"""Code systems, identifier systems and extension URLs the FHIR interface writes and reads.

MedMind's own systems are URNs (nothing to resolve); the rest are the standard ones of FHIR R4,
UCUM and SNOMED CT, named only where MedMind already holds the concept (no code list is bundled).
"""

from __future__ import annotations

FHIR_JSON = "application/fhir+json"
FHIR_VERSION = "4.0.1"

# Identifier systems.
PLAN_ITEM = "urn:medmind:plan-item"
PLAN_VERSION = "urn:medmind:plan-version"
DEVICE_ID = "urn:medmind:device-id"
CONVERSATION = "urn:medmind:conversation"
LICENSE = "urn:medmind:doctor-license"

# MedMind code systems.
OBSERVATION_CODE = "urn:medmind:observation-code"
DOSE_STATUS = "urn:medmind:dose-status"
ALERT_TYPE = "urn:medmind:alert-type"
INTENT = "urn:medmind:intent"

# MedMind extensions.
ON_TIME_MINUTES = "urn:medmind:extension:on-time-minutes"
LATE_WINDOW_MINUTES = "urn:medmind:extension:late-window-minutes"
STRENGTH = "urn:medmind:extension:medication-strength"
ALERT_LEVEL = "urn:medmind:extension:alert-level"
ALERT_STATUS = "urn:medmind:extension:alert-status"

# Standard systems and extensions.
TZ_CODE = "http://hl7.org/fhir/StructureDefinition/tz-code"
UCUM = "http://unitsofmeasure.org"
SNOMED = "http://snomed.info/sct"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
FLAG_CATEGORY = "http://terminology.hl7.org/CodeSystem/flag-category"
