"""The FHIR interface as an app mounted at `/fhir/R4`, answering every error as OperationOutcome.

It shares the API's state (settings, database, token checks), so a token and an access rule
mean the same here as under `/api/v1`.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from cloud.errors import DomainError
from cloud.fhir.links import MOUNT_PATH
from cloud.fhir.outcome import FhirError, Issue, operation_outcome
from cloud.fhir.responses import FhirResponse
from cloud.fhir.router import router

log = logging.getLogger(__name__)

_ISSUE_CODES = {
    400: "invalid",
    401: "login",
    403: "forbidden",
    404: "not-found",
    405: "not-supported",
    409: "conflict",
    413: "too-costly",
    415: "not-supported",
    422: "processing",
    429: "throttled",
}


def _answer(
    status: int, issues: list[Issue], headers: Mapping[str, str] | None = None
) -> FhirResponse:
    return FhirResponse(operation_outcome(issues), status_code=status, headers=headers)


def install_outcome_handlers(app: FastAPI) -> None:
    """Make every error of `app` an OperationOutcome."""

    @app.exception_handler(FhirError)
    async def fhir_error(_: Request, exc: FhirError) -> FhirResponse:
        return _answer(exc.status, exc.issues, exc.headers)

    @app.exception_handler(DomainError)
    async def domain_error(_: Request, exc: DomainError) -> FhirResponse:
        headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
        code = _ISSUE_CODES.get(exc.status, "processing")
        return _answer(exc.status, [Issue(code, exc.message)], headers)

    @app.exception_handler(RequestValidationError)
    async def validation_error(_: Request, exc: RequestValidationError) -> FhirResponse:
        issues = [
            Issue(
                "invalid",
                str(error.get("msg")),
                (".".join(str(part) for part in error.get("loc", ())),),
            )
            for error in exc.errors()
        ]
        return _answer(400, issues or [Issue("invalid", "invalid request")])

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> FhirResponse:
        code = _ISSUE_CODES.get(exc.status_code, "exception")
        return _answer(exc.status_code, [Issue(code, str(exc.detail))], exc.headers)

    @app.exception_handler(Exception)
    async def unexpected_error(_: Request, exc: Exception) -> FhirResponse:
        log.exception("unhandled error in the FHIR interface")
        return _answer(500, [Issue("exception", "internal server error")])


def mount_fhir(parent: FastAPI) -> None:
    """Serve the FHIR interface under `MOUNT_PATH` of `parent`, sharing its state."""
    app = FastAPI(title="MedMind FHIR R4", docs_url=None, redoc_url=None, openapi_url=None)
    app.state = parent.state
    install_outcome_handlers(app)
    app.include_router(router)
    parent.mount(MOUNT_PATH, app)
