"""Errors services raise; the app turns each into the one JSON error shape with its status."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Base of the errors a request can cause; `status` and `code` go to the client."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, details: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class NotFoundError(DomainError):
    """The thing does not exist, or the caller may not know it exists."""

    status = 404
    code = "not_found"


class ConflictError(DomainError):
    """The request contradicts the current state (duplicate, wrong state)."""

    status = 409
    code = "conflict"


class GoneError(DomainError):
    """The thing existed but is no longer usable (a used or expired link)."""

    status = 410
    code = "gone"


class ValidationFailedError(DomainError):
    """The request is well-formed but its content is not acceptable."""

    status = 422
    code = "validation_error"


class AuthenticationError(DomainError):
    """Missing or wrong credentials."""

    status = 401
    code = "not_authenticated"


class PermissionDeniedError(DomainError):
    """Authenticated, but this role may not do this."""

    status = 403
    code = "forbidden"


class AccountDeactivatedError(PermissionDeniedError):
    """The password is right but an admin has deactivated the account."""

    code = "account_deactivated"


class RateLimitedError(DomainError):
    """Too many attempts; try again later."""

    status = 429
    code = "rate_limited"

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def validation_details(errors: list[Any]) -> list[dict[str, Any]]:
    """Pydantic error entries reduced to JSON-safe `loc`, `msg` and `type`."""
    return [
        {
            "loc": [str(part) for part in item.get("loc", [])],
            "msg": str(item.get("msg")),
            "type": str(item.get("type")),
        }
        for item in errors
    ]
