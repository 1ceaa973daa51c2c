"""FHIR fixtures: the cloud's per-test database and app, histories, and a validating client."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from fhir.resources.R4B import get_fhir_model_class
from sqlalchemy.orm import Session

from cloud.config import CloudSettings
from cloud.users.models import User
from tests.cloud.analytics.history import History
from tests.cloud.conftest import bearer


@pytest.fixture
def history(db: Session) -> History:
    """Builds a patient's known history in this test's database."""
    return History(db)


def _no_empty_values(value: Any, path: str) -> None:
    # FHIR JSON forbids empty objects, arrays and strings; the models let them through.
    if isinstance(value, dict):
        assert value, f"empty object at {path}"
        for key, item in value.items():
            _no_empty_values(item, f"{path}.{key}")
    elif isinstance(value, list):
        assert value, f"empty array at {path}"
        for index, item in enumerate(value):
            _no_empty_values(item, f"{path}[{index}]")
    elif isinstance(value, str):
        assert value.strip(), f"empty string at {path}"


def validated(resource: dict[str, Any]) -> dict[str, Any]:
    """`resource`, after the `fhir.resources` R4B model of its type accepted it."""
    get_fhir_model_class(resource["resourceType"]).model_validate(resource)
    _no_empty_values(resource, resource["resourceType"])
    return resource


class FhirClient:
    """Calls the FHIR interface as one user; every answer must be valid FHIR JSON."""

    def __init__(self, client: TestClient, settings: CloudSettings, user: User) -> None:
        self.client = client
        self.headers = bearer(settings, user)

    def get(
        self,
        path: str,
        status: int = 200,
        query: list[tuple[str, str]] | None = None,
        **params: Any,
    ) -> dict[str, Any]:
        """GET `path` with `params` (and `query`, for repeated parameters)."""
        pairs = [*(query or []), *((name, str(value)) for name, value in params.items())]
        response = self.client.get(f"/fhir/R4/{path}", params=pairs, headers=self.headers)
        return self._checked(response, status)

    def post(self, path: str, body: dict[str, Any], status: int = 201) -> dict[str, Any]:
        headers = {**self.headers, "Content-Type": "application/fhir+json"}
        response = self.client.post(f"/fhir/R4/{path}", json=body, headers=headers)
        return self._checked(response, status)

    @staticmethod
    def _checked(response: Any, status: int) -> dict[str, Any]:
        assert response.status_code == status, response.text
        assert response.headers["content-type"].startswith("application/fhir+json")
        return validated(response.json())


@pytest.fixture
def fhir_as(client: TestClient, cloud_settings: CloudSettings) -> Any:
    """`fhir_as(user)`: a FHIR client acting as `user`."""
    return lambda user: FhirClient(client, cloud_settings, user)
