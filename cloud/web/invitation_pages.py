"""Accepting an invitation from its emailed link: a new person sets a name and password; someone
who already has an account signs in with it. `InvitationService` decides everything, as for
`POST /api/v1/invitations/accept`: a link used, expired or withdrawn is refused with the reason."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request, Response, status
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError

from cloud.config import CloudSettings
from cloud.deps import ClientAddress, DbSession, Now, Settings
from cloud.errors import (
    AccountDeactivatedError,
    AuthenticationError,
    ConflictError,
    GoneError,
    NotFoundError,
    RateLimitedError,
    ValidationFailedError,
)
from cloud.invitations.schemas import InvitationAcceptIn
from cloud.invitations.service import InvitationService, OpenInvitation
from cloud.users.service import UserService
from cloud.web.account_pages import password_hint
from cloud.web.auth_pages import start_session
from cloud.web.deps import SessionTime
from cloud.web.public_forms import form_token_matches, new_form_token, set_form_cookie
from cloud.web.rendering import render

router = APIRouter(prefix="/invitations")
FORM_PATH = "/app/invitations/accept"


def _refused(request: Request, refusal: NotFoundError | GoneError) -> HTMLResponse:
    code = status.HTTP_404_NOT_FOUND if isinstance(refusal, NotFoundError) else status.HTTP_410_GONE
    return render(request, "invitation_refused.html", status_code=code, reason=refusal.message)


def _page(
    request: Request,
    settings: CloudSettings,
    opened: OpenInvitation,
    token: str,
    *,
    error: str | None = None,
    full_name: str = "",
) -> Response:
    form_token = new_form_token()
    page = render(
        request,
        "invitation.html",
        status_code=status.HTTP_400_BAD_REQUEST if error else status.HTTP_200_OK,
        opened=opened,
        token=token,
        error=error,
        full_name=full_name,
        hint=password_hint(settings),
        form_csrf=form_token,
    )
    set_form_cookie(request, page, form_token, FORM_PATH)
    return page


@router.get("/accept")
def invitation_page(
    request: Request,
    db: DbSession,
    settings: Settings,
    now: Now,
    token: Annotated[str, Query(max_length=200)] = "",
) -> Response:
    """What the link invites to, and the form to accept it."""
    try:
        opened = InvitationService(db, settings).open(token, now)
    except (NotFoundError, GoneError) as refusal:
        return _refused(request, refusal)
    return _page(request, settings, opened, token)


@router.post("/accept")
def accept(
    *,
    request: Request,
    db: DbSession,
    settings: Settings,
    now: Now,
    session_now: SessionTime,
    address: ClientAddress,
    token: Annotated[str, Form(max_length=200)],
    password: Annotated[str, Form(max_length=256)],
    full_name: Annotated[str, Form(max_length=200)] = "",
    csrf_token: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    """Join the care team: sign in to an existing account, or create the new one."""
    service = InvitationService(db, settings)
    try:
        opened = service.open(token, now)
    except (NotFoundError, GoneError) as refusal:
        return _refused(request, refusal)
    if not form_token_matches(request, csrf_token):
        return _page(
            request, settings, opened, token, error="The form had expired. Please try again."
        )
    patient_page = f"/app/patients/{opened.patient.id}"
    if opened.account is not None:
        try:
            user = UserService(db, settings).sign_in(
                opened.invitation.email, password, address, session_now
            )
            service.accept(InvitationAcceptIn(token=token), now)
        except RateLimitedError as blocked:
            message = f"Too many failed sign-ins. Try again in {blocked.retry_after} seconds."
            return _page(request, settings, opened, token, error=message)
        except AuthenticationError:
            return _page(request, settings, opened, token, error="Wrong password.")
        except AccountDeactivatedError as deactivated:
            return _page(request, settings, opened, token, error=deactivated.message)
        except (ConflictError, GoneError, NotFoundError) as refusal:
            return _page(request, settings, opened, token, error=refusal.message)
        return start_session(request, db, user, session_now, patient_page)
    try:
        spec = InvitationAcceptIn(token=token, full_name=full_name.strip(), password=password)
    except ValidationError:
        return _page(
            request,
            settings,
            opened,
            token,
            error="Enter your name and a password.",
            full_name=full_name,
        )
    try:
        service.accept(spec, now)
    except (ValidationFailedError, ConflictError, GoneError, NotFoundError) as refusal:
        return _page(request, settings, opened, token, error=refusal.message, full_name=full_name)
    query = urlencode({"notice": "joined", "email": opened.invitation.email, "next": patient_page})
    return RedirectResponse(f"/app/login?{query}", status_code=status.HTTP_303_SEE_OTHER)
