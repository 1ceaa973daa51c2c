"""FHIR JSON responses."""

from __future__ import annotations

from fastapi.responses import JSONResponse

from cloud.fhir import systems


class FhirResponse(JSONResponse):
    """A JSON response of media type `application/fhir+json`."""

    media_type = systems.FHIR_JSON
