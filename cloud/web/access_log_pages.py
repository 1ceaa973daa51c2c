"""A patient's access log: who read or changed the patient's data, filtered by person, action
and dates, a page at a time. For the roles the REST list admits (`CLINICIAN_ROLES`), through the
same query (`cloud.audit.service`)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from cloud.api.pagination import DateRange, PageParams, instant_bounds, paginate
from cloud.audit.models import AccessLogEntry
from cloud.audit.service import (
    ACTIONS,
    AccessLogFilter,
    access_log_of,
    people_in_log,
    users_by_id,
)
from cloud.deps import CLINICIAN_ROLES, DbSession
from cloud.web.deps import NotAllowedError, WebPatient, WebUser
from cloud.web.rendering import render
from cloud.web.sessions import SignedIn

router = APIRouter()
PER_PAGE = 50
# Where a look came from, by the first part of its path.
_CHANNELS = (("/api/", "API"), ("/app/", "Web app"), ("/fhir/", "FHIR"))


def what_was_seen(entry: AccessLogEntry) -> str:
    """The entry's resource in words ("API: medications", "Web app: the patient's page"), for
    people; the page shows the exact path beside it."""
    channel = next((name for prefix, name in _CHANNELS if entry.path.startswith(prefix)), None)
    if channel is None:  # not an HTTP request (a command-line export)
        return entry.resource
    parts = [part for part in entry.resource.split("/") if part]
    # "patients/{patient_id}" names the patient whose log this is: it says nothing here.
    if parts[:2] == ["patients", "{patient_id}"]:
        parts = parts[2:] or ["the patient's page" if channel == "Web app" else "the patient"]
    words = [part.replace("-", " ") for part in parts if not part.startswith("{")]
    if not words:
        words = ["My patients" if channel == "Web app" else "patients"]
    return f"{channel}: {' / '.join(words)}"


async def clinician(who: WebUser) -> SignedIn:
    """The signed-in user if their role may read access logs; refused before the patient is
    looked up (and the look recorded), as the REST route refuses."""
    if who.user.role not in CLINICIAN_ROLES:
        raise NotAllowedError
    return who


def _uuid(text: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(text) if text else None
    except ValueError:
        return None


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


@router.get("/patients/{patient_id}/access-log")
def access_log_page(
    *,
    request: Request,
    who: Annotated[SignedIn, Depends(clinician)],
    patient: WebPatient,
    db: DbSession,
    person: Annotated[str, Query(alias="who", max_length=40)] = "",
    action: Annotated[str, Query(max_length=10)] = "",
    from_: Annotated[str, Query(alias="from", max_length=10)] = "",
    to: Annotated[str, Query(max_length=10)] = "",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> HTMLResponse:
    """The patient's access log, newest first; filters that do not parse are left out."""
    first, last = _date(from_), _date(to)
    if first and last and last < first:
        first, last = last, first
    since, until = instant_bounds(DateRange(first, last), patient.timezone)
    only = AccessLogFilter(
        user_id=_uuid(person),
        action=next((a for a in ACTIONS if a == action), None),
        since=since,
        until=until,
    )
    listed = paginate(
        db,
        access_log_of(patient.id, only),
        PageParams(PER_PAGE, (page - 1) * PER_PAGE),
        lambda entry: entry,
    )
    entries: list[AccessLogEntry] = listed.items
    filters = {
        "who": str(only.user_id or ""),
        "action": only.action or "",
        "from": first.isoformat() if first else "",
        "to": last.isoformat() if last else "",
    }
    kept = {name: value for name, value in filters.items() if value}

    def page_url(number: int) -> str:
        return f"/app/patients/{patient.id}/access-log?{urlencode({**kept, 'page': number})}"

    last_page = max(1, -(-listed.total // PER_PAGE))
    return render(
        request,
        "access_log.html",
        who,
        patient=patient,
        entries=entries,
        names=users_by_id(db, (entry.user_id for entry in entries)),
        people=people_in_log(db, patient.id),
        actions=ACTIONS,
        what_was_seen=what_was_seen,
        filters=filters,
        total=listed.total,
        page=page,
        last_page=last_page,
        previous_url=page_url(page - 1) if page > 1 else None,
        next_url=page_url(page + 1) if page < last_page else None,
    )
