"""FHIR R4 interface: MedMind's record as FHIR resources, and prescriptions imported as plans.

Mapping modules (one per resource type) live in `cloud.fhir.resources`; `service` reads and
searches through them with the REST API's ownership rule; `prescriptions` turns imported
MedicationRequests into a plan version; `router` and `app` serve it under `/fhir/R4`.
"""
