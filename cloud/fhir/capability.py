"""The CapabilityStatement, written from the registry of served types."""

from __future__ import annotations

from cloud.fhir import systems
from cloud.fhir.registry import TYPES, ResourceType
from cloud.fhir.resources.common import Json, coding, concept

# When this statement last changed (with the interface it describes).
STATEMENT_DATE = "2026-12-03"
EVERYTHING = "http://hl7.org/fhir/OperationDefinition/Patient-everything"
_SECURITY = "http://terminology.hl7.org/CodeSystem/restful-security-service"


def _search_params(kind: ResourceType) -> list[Json]:
    patient = (
        {"name": "_id", "type": "token", "documentation": "The patient's id."}
        if kind.name == "Patient"
        else {"name": "patient", "type": "reference", "documentation": kind.patient_means}
    )
    params = [patient]
    if kind.date_means is not None:
        params.append(
            {
                "name": "date",
                "type": "date",
                "documentation": f"{kind.date_means}; prefixes eq, ge, gt, le, lt; a date is "
                "a local day of the patient",
            }
        )
    params += [
        {"name": "_count", "type": "number", "documentation": "Page size, 1 to 1000 (50)."},
        {"name": "_offset", "type": "number", "documentation": "Resources to skip (next links)."},
    ]
    return params


def _resource(kind: ResourceType) -> Json:
    interactions = [{"code": "read"}, {"code": "search-type"}]
    if kind.creatable:
        interactions.append({"code": "create"})
    resource: Json = {
        "type": kind.name,
        "interaction": interactions,
        "searchParam": _search_params(kind),
    }
    if kind.name == "Patient":
        resource["operation"] = [{"name": "everything", "definition": EVERYTHING}]
    return resource


def capability_statement(base_url: str, software_version: str) -> Json:
    """What this server does, and nothing more."""
    return {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": STATEMENT_DATE,
        "publisher": "MedMind",
        "kind": "instance",
        "software": {"name": "MedMind", "version": software_version},
        "implementation": {"description": "MedMind FHIR R4 interface", "url": base_url},
        "fhirVersion": systems.FHIR_VERSION,
        "format": [systems.FHIR_JSON, "json"],
        "rest": [
            {
                "mode": "server",
                "documentation": "Read-only views of MedMind's record, and prescriptions "
                "(MedicationRequest create, or a transaction Bundle of them) imported as a new "
                "version of the patient's plan. A patient outside the caller's care answers "
                "404 and is in no search.",
                "security": {
                    "service": [concept("OAuth2 bearer token", coding(_SECURITY, "OAuth"))],
                    "description": "The REST API's bearer access token "
                    "(POST /api/v1/auth/login), with its access rules.",
                },
                "resource": [_resource(kind) for kind in TYPES.values()],
                "interaction": [{"code": "transaction"}],
            }
        ],
    }
