"""Routes of the FHIR interface: parse, authorise, hand to the services, answer FHIR JSON."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Request

from cloud.audit.hook import AccessAudit
from cloud.deps import CareTeam, CurrentUser, DbSession, Now
from cloud.fhir.bundles import searchset, transaction_response
from cloud.fhir.capability import capability_statement
from cloud.fhir.prescriptions import PrescriptionImport
from cloud.fhir.responses import FhirResponse
from cloud.fhir.search import parse_search
from cloud.fhir.service import FhirService, resource_type
from cloud.fhir.systems import FHIR_JSON

router = APIRouter()
SOFTWARE_VERSION = "1.0.0"


def _base_url(request: Request) -> str:
    # The FHIR base is where this app is mounted (its root path), not the API's root.
    return str(request.url.replace(path=request.scope.get("root_path", ""), query=""))


@router.get("/metadata")
def metadata(request: Request) -> FhirResponse:
    """The CapabilityStatement (no token needed)."""
    return FhirResponse(capability_statement(_base_url(request), SOFTWARE_VERSION))


@router.get("/Patient/{patient_id}/$everything")
def everything(
    *,
    request: Request,
    patient_id: uuid.UUID,
    user: CurrentUser,
    db: DbSession,
    now: Now,
    start: Annotated[date | None, Query(description="First local date.")] = None,
    end: Annotated[date | None, Query(description="Last local date.")] = None,
) -> FhirResponse:
    """Everything about one patient, dated resources within `start`..`end`."""
    audit = AccessAudit.of_request(request)
    resources = FhirService(db, user, now, audit).everything(patient_id, start, end)
    return FhirResponse(searchset(_base_url(request), resources, len(resources), str(request.url)))


@router.get("/{type_name}")
def search(
    request: Request, type_name: str, user: CurrentUser, db: DbSession, now: Now
) -> FhirResponse:
    """A page of the resources of one type matching the query."""
    params = parse_search(resource_type(type_name), request.query_params.multi_items())
    audit = AccessAudit.of_request(request)
    resources, total = FhirService(db, user, now, audit).search(type_name, params)
    following = params.offset + len(resources)
    next_url = (
        str(request.url.include_query_params(_offset=following)) if following < total else None
    )
    return FhirResponse(searchset(_base_url(request), resources, total, str(request.url), next_url))


@router.get("/{type_name}/{resource_id}")
def read(
    *,
    request: Request,
    type_name: str,
    resource_id: str,
    user: CurrentUser,
    db: DbSession,
    now: Now,
) -> FhirResponse:
    """One resource."""
    audit = AccessAudit.of_request(request)
    return FhirResponse(FhirService(db, user, now, audit).read(type_name, resource_id))


JsonBody = Annotated[dict[str, Any], Body(media_type=FHIR_JSON)]


@router.post("/MedicationRequest", status_code=201)
def create_medication_request(
    request: Request, body: JsonBody, user: CareTeam, db: DbSession, now: Now
) -> FhirResponse:
    """Import one prescription as a new version of the patient's plan."""
    audit = AccessAudit.of_request(request)
    resource = PrescriptionImport(db, user, now, audit).medication_request(body)
    return FhirResponse(
        resource,
        status_code=201,
        headers={"Location": f"{_base_url(request)}/MedicationRequest/{resource['id']}"},
    )


@router.post("/")
def transaction(
    request: Request, body: JsonBody, user: CareTeam, db: DbSession, now: Now
) -> FhirResponse:
    """Import a transaction (or batch) Bundle of prescriptions as one new plan version."""
    created = PrescriptionImport(db, user, now, AccessAudit.of_request(request)).bundle(body)
    return FhirResponse(transaction_response(_base_url(request), created))
