"""Where the FHIR interface lives, for the parts that link to it (reports, the web app)."""

from __future__ import annotations

import uuid
from datetime import date
from urllib.parse import urlencode

MOUNT_PATH = "/fhir/R4"


def everything_path(patient_id: uuid.UUID, start: date, end: date) -> str:
    """The path of a patient's `$everything` over local dates `start`..`end`."""
    query = urlencode({"start": start.isoformat(), "end": end.isoformat()})
    return f"{MOUNT_PATH}/Patient/{patient_id}/$everything?{query}"
