"""A small client of the cloud's REST API, as a caregiver's app or a clinic's system would use it.

The simulator sets up its patients and checks its outcomes only through this API; the one thing
it does directly in the database is bootstrap the first administrator (`bootstrap_admin`).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

import httpx

API = "/api/v1"
TIMEOUT_S = 30.0


class ApiError(RuntimeError):
    """The API answered with an error status; the message carries its body."""


class CloudClient:
    """Logged-in calls to the REST API; logs in again when the access token expires."""

    def __init__(self, base_url: str, email: str, password: str) -> None:
        self.base_url = base_url.rstrip("/")
        self.email = email
        self.password = password
        self.http = httpx.Client(base_url=self.base_url, timeout=TIMEOUT_S)
        self._token: str | None = None

    def close(self) -> None:
        self.http.close()

    def login(self) -> None:
        response = self.http.post(
            f"{API}/auth/login", data={"username": self.email, "password": self.password}
        )
        self._check(response)
        self._token = str(response.json()["access_token"])

    def request(self, method: str, path: str, **kwargs: Any) -> Any:
        """Call `path` (under /api/v1) and return the decoded JSON (None for 204)."""
        if self._token is None:
            self.login()
        response = self.http.request(method, f"{API}{path}", headers=self._auth(), **kwargs)
        if response.status_code == httpx.codes.UNAUTHORIZED:
            self.login()
            response = self.http.request(method, f"{API}{path}", headers=self._auth(), **kwargs)
        self._check(response)
        return None if response.status_code == httpx.codes.NO_CONTENT else response.json()

    def _auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._token}"}

    @staticmethod
    def _check(response: httpx.Response) -> None:
        if response.is_error:
            raise ApiError(
                f"{response.request.method} {response.request.url.path} -> "
                f"{response.status_code}: {response.text[:500]}"
            )

    def get_all(self, path: str, **params: Any) -> list[dict[str, Any]]:
        """Every item of a paginated list endpoint."""
        items: list[dict[str, Any]] = []
        offset = 0
        while True:
            page = self.request("GET", path, params={**params, "limit": 200, "offset": offset})
            if isinstance(page, list):
                return page
            batch = page["items"]
            items.extend(batch)
            offset += len(batch)
            if not batch or offset >= int(page.get("total", offset)):
                return items

    # -- set-up ----------------------------------------------------------------------------

    def create_user(self, email: str, password: str, full_name: str, role: str) -> dict[str, Any]:
        body = {"email": email, "password": password, "full_name": full_name, "role": role}
        result: dict[str, Any] = self.request("POST", "/users", json=body)
        return result

    def create_patient(self, full_name: str, timezone: str) -> dict[str, Any]:
        result: dict[str, Any] = self.request(
            "POST", "/patients", json={"full_name": full_name, "timezone": timezone}
        )
        return result

    def link_caregiver(self, patient_id: uuid.UUID | str, user_id: uuid.UUID | str) -> None:
        self.request(
            "POST",
            f"/patients/{patient_id}/caregivers",
            json={"user_id": str(user_id), "relationship": "daughter", "is_primary": True},
        )

    def link_doctor(self, patient_id: uuid.UUID | str, user_id: uuid.UUID | str) -> None:
        self.request("POST", f"/patients/{patient_id}/doctors", json={"user_id": str(user_id)})

    def register_device(self, device_id: str, patient_id: uuid.UUID | str) -> dict[str, Any]:
        result: dict[str, Any] = self.request(
            "POST",
            "/devices",
            json={"device_id": device_id, "name": "bedside", "patient_id": str(patient_id)},
        )
        return result

    def save_plan(
        self, patient_id: uuid.UUID | str, items: list[dict[str, Any]], timezone: str, note: str
    ) -> dict[str, Any]:
        """A new plan version (the cloud pushes it to the patient's devices)."""
        result: dict[str, Any] = self.request(
            "POST",
            f"/patients/{patient_id}/plans",
            json={"timezone": timezone, "note": note, "items": items},
        )
        return result

    def dispense(
        self,
        patient_id: uuid.UUID | str,
        medication: dict[str, Any],
        quantity: float,
        at: datetime,
        medication_id: str | None = None,
    ) -> dict[str, Any]:
        """Record `quantity` of a medication dispensed at `at` (a new one, or a refill)."""
        body = {**medication, "quantity_dispensed": quantity, "dispensed_at": at.isoformat()}
        path = f"/patients/{patient_id}/medications"
        result: dict[str, Any] = (
            self.request("POST", path, json=body)
            if medication_id is None
            else self.request("PATCH", f"{path}/{medication_id}", json=body)
        )
        return result

    # -- outcomes --------------------------------------------------------------------------

    def device(self, device_id: str) -> dict[str, Any]:
        result: dict[str, Any] = self.request("GET", f"/devices/{device_id}")
        return result

    def daily_summaries(
        self, patient_id: uuid.UUID | str, first: date, last: date
    ) -> list[dict[str, Any]]:
        return self.get_all(
            f"/patients/{patient_id}/summaries/daily",
            **{"from": first.isoformat(), "to": last.isoformat()},
        )

    def alerts(self, patient_id: uuid.UUID | str) -> list[dict[str, Any]]:
        return self.get_all(f"/patients/{patient_id}/alerts")

    def symptoms(self, patient_id: uuid.UUID | str) -> list[dict[str, Any]]:
        return self.get_all(f"/patients/{patient_id}/symptoms")

    def doses(self, patient_id: uuid.UUID | str, first: date, last: date) -> list[dict[str, Any]]:
        return self.get_all(
            f"/patients/{patient_id}/occurrences",
            **{"from": first.isoformat(), "to": last.isoformat()},
        )

    def notifications(self) -> list[dict[str, Any]]:
        """The logged-in user's in-app notification feed."""
        return self.get_all("/notifications")
