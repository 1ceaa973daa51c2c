"""Dependencies of the web pages: the signed-in user, CSRF-checked forms, a visible patient.

They raise the web's own exceptions (`pages.py` turns them into a redirect to sign-in, the
not-found page, or the refused-form page) instead of the API's JSON errors.
"""

from __future__ import annotations

import hmac
import uuid
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Path, Request
from starlette.datastructures import FormData

from cloud.audit.hook import AccessAudit
from cloud.clock import Clock
from cloud.deps import DbSession
from cloud.errors import NotFoundError
from cloud.patients.access import PatientAccess
from cloud.patients.models import Patient
from cloud.web.sessions import SignedIn, WebSessionService

SESSION_COOKIE = "medmind_session"
CSRF_FIELD = "csrf_token"


class SignInRequiredError(Exception):
    """No live session: the browser goes to the sign-in page, then back to `next_url`."""

    def __init__(self, next_url: str) -> None:
        super().__init__(next_url)
        self.next_url = next_url


class PageNotFoundError(Exception):
    """Unknown, or not for this user's eyes: the same not-found page either way."""


class NotAllowedError(Exception):
    """This user's role may not do this (the API answers 403 too)."""


class CsrfRefusedError(Exception):
    """A form arrived without the token of the page it came from."""


def tokens_match(sent: object, expected: str) -> bool:
    """Whether a posted CSRF token is the expected one (compared in constant time)."""
    return isinstance(sent, str) and hmac.compare_digest(sent.encode(), expected.encode())


async def session_time(request: Request) -> datetime:
    """Now on the clock web sessions expire by (see `cloud.web.mount.mount_web`)."""
    clock: Clock = request.app.state.web_session_clock
    return clock()


SessionTime = Annotated[datetime, Depends(session_time)]


def signed_in(request: Request, db: DbSession, now: SessionTime) -> SignedIn:
    """The session's user, or a redirect to sign in."""
    token = request.cookies.get(SESSION_COOKIE)
    found = WebSessionService(db).resolve(token, now) if token else None
    if found is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise SignInRequiredError(target)
    return found


WebUser = Annotated[SignedIn, Depends(signed_in)]


async def checked_form(request: Request, who: WebUser) -> FormData:
    """The posted form, if it carries this session's CSRF token."""
    form = await request.form()
    if not tokens_match(form.get(CSRF_FIELD), who.csrf_token):
        raise CsrfRefusedError
    return form


CheckedForm = Annotated[FormData, Depends(checked_form)]


def web_patient(
    request: Request, patient_id: Annotated[str, Path()], who: WebUser, db: DbSession
) -> Patient:
    """The path's patient if this user may see it (the not-found page otherwise, also for an
    id that is not a UUID at all)."""
    try:
        audit = AccessAudit.of_request(request)
        return PatientAccess(db, who.user, audit).require(uuid.UUID(patient_id))
    except (ValueError, NotFoundError):
        raise PageNotFoundError from None


WebPatient = Annotated[Patient, Depends(web_patient)]
