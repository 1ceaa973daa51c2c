"""schemathesis against the app's own OpenAPI, as an admin and as a caregiver, on the demo seed:
no request may cause a 5xx, and every response must match the documented status codes,
content types and schemas.

Path ids are pinned to seeded rows (so most calls reach real data instead of a 404), except
for DELETE operations, which get generated ids so they cannot empty the world mid-run.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import select
from sqlalchemy.orm import Session

from cloud.config import CloudSettings
from cloud.db.engine import sqlalchemy_url
from cloud.db.seed import seed_id
from cloud.users.models import User
from tests.cloud.conftest import bearer
from tests.support import services

EXAMPLES_PER_OPERATION = 8
# These end the caller's session (or others): each case gets a session of its own.
ENDS_SESSIONS = {"/api/v1/auth/logout", "/api/v1/auth/password"}
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def cloud_db_url(pg_admin_url: str, seeded_template: str) -> Iterator[str]:
    """This module's tests start from the demo seed."""
    with services.fresh_database(pg_admin_url, template=seeded_template) as url:
        yield sqlalchemy_url(url)


def _pinned(operation: Any, known: dict[str, str]) -> dict[str, str]:
    if operation.method.upper() == "DELETE":
        return {}
    names = {parameter.name for parameter in operation.path_parameters}
    return {name: value for name, value in known.items() if name in names}


@pytest.mark.parametrize("email", ["admin@medmind.demo", "carol.caregiver@medmind.demo"])
def test_the_api_keeps_its_openapi_promises(
    email: str, app: FastAPI, db: Session, cloud_settings: CloudSettings
) -> None:
    user = db.scalars(select(User).where(User.email == email)).one()
    headers = bearer(cloud_settings, user)
    known = {
        "patient_id": str(seed_id("patient", "margaret")),
        "device_id": "bedside-margaret",
        "user_id": str(user.id),
    }
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    failures: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]  # type: ignore[union-attr]
    assert len(operations) > 40, "the schema lists fewer operations than the API has"
    for operation in operations:

        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy(path_parameters=_pinned(operation, known)))
        def check(case: Any) -> None:
            own = bearer(cloud_settings, user) if case.path in ENDS_SESSIONS else headers
            response = case.call(headers=own)
            case.validate_response(response, checks=CHECKS, headers=own)

        try:
            check()
        except (Exception, BaseExceptionGroup) as exc:
            failures.append(f"{operation.method.upper()} {operation.path}: {exc}"[:2000])
    assert not failures, "\n\n".join(failures)
