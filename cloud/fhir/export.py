"""Bulk export: a patient's resources as NDJSON files, one per type, in FHIR Bulk Data's shape.

`<Type>.ndjson` holds one resource per line; `manifest.json` is the Bulk Data status answer
(`transactionTime`, `request`, `output` with each file and its count), with file names as URLs.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy.orm import Session

from cloud.audit.hook import AccessAudit
from cloud.fhir.registry import TYPES
from cloud.fhir.resources.common import Json, instant
from cloud.fhir.service import FhirService
from cloud.users.models import User
from shared.enums import Role

# The command line acts for the operator, who may see every patient, as an admin does.
OPERATOR = User(id=uuid.UUID(int=0), email="operator", full_name="Operator", role=Role.ADMIN)


@dataclass(frozen=True)
class Export:
    """What an export wrote: resources per type, and the manifest."""

    counts: dict[str, int]
    manifest: Json


def export_patient(
    db: Session,
    patient_id: uuid.UUID,
    out: Path,
    *,
    now: datetime,
    start: date | None = None,
    end: date | None = None,
    user: User = OPERATOR,
) -> Export:
    """Write the patient's `$everything` for local dates `start`..`end` to `out`."""
    # A bulk export from the server's command line is a look at the patient too.
    audit = AccessAudit("read", "fhir export", str(out), None)
    resources = FhirService(db, user, now, audit).everything(patient_id, start, end)
    by_type: dict[str, list[Json]] = {}
    for resource in resources:
        by_type.setdefault(resource["resourceType"], []).append(resource)
    out.mkdir(parents=True, exist_ok=True)
    outputs: list[Json] = []
    for name in TYPES:
        if name not in by_type:
            continue
        path = out / f"{name}.ndjson"
        with path.open("w", encoding="utf-8") as file:
            for resource in by_type[name]:
                file.write(json.dumps(resource, ensure_ascii=False, separators=(",", ":")))
                file.write("\n")
        outputs.append({"type": name, "url": path.name, "count": len(by_type[name])})
    query = "&".join(
        part for part in (f"start={start}" if start else "", f"end={end}" if end else "") if part
    )
    manifest: Json = {
        "transactionTime": instant(now),
        "request": f"Patient/{patient_id}/$everything" + (f"?{query}" if query else ""),
        "requiresAccessToken": False,
        "output": outputs,
        "error": [],
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return Export({entry["type"]: entry["count"] for entry in outputs}, manifest)
