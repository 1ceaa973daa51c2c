"""What the access log records about a request: the hook `PatientAccess` writes through.

Every surface (REST, web app, FHIR) checks a patient through `PatientAccess`; giving it an
`AccessAudit` of the request makes each patient it admits a row of the access log, written in
the same statement as the check.
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request

_ACTIONS = {
    "GET": "read",
    "HEAD": "read",
    "POST": "create",
    "PUT": "update",
    "PATCH": "update",
    "DELETE": "delete",
}


@dataclass(frozen=True)
class AccessAudit:
    """The action, the resource (route template), the concrete path and the client address."""

    action: str
    resource: str
    path: str
    address: str | None

    @classmethod
    def of_request(cls, request: Request) -> AccessAudit:
        """The audit entry of an HTTP request (any router: REST, web, FHIR)."""
        route = request.scope.get("route")
        path = request.url.path
        return cls(
            action=_ACTIONS.get(request.method, request.method.lower()),
            resource=getattr(route, "path", path),
            path=path,
            address=request.client.host if request.client else None,
        )

    def params(self) -> dict[str, str | None]:
        """The statement parameters of this entry."""
        return {
            "audit_action": self.action,
            "audit_resource": self.resource,
            "audit_path": self.path,
            "audit_address": self.address,
        }
