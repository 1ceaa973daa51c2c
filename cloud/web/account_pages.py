"""A forgotten password: ask for a reset link from the sign-in page, and set a new password on
the page the emailed link opens. Both go through `CredentialService`, as the REST routes do: the
answer to a request is the same whether or not the address has an account, or the request was
over the limit, and a reset ends every session of the user, web sessions included."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, BackgroundTasks, Form, Query, Request, Response, status
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError

from cloud.config import CloudSettings
from cloud.deps import ClientAddress, DbSession, Mail, Now, Settings, UserCache
from cloud.errors import ValidationFailedError
from cloud.users.credentials import CredentialService
from cloud.users.mail import send_account_email
from cloud.users.models import User
from cloud.users.schemas import PasswordResetRequestIn, ResetRequestedOut
from cloud.web.deps import SESSION_COOKIE
from cloud.web.public_forms import form_token_matches, new_form_token, set_form_cookie
from cloud.web.rendering import render

router = APIRouter(prefix="/password")
FORMS_PATH = "/app/password"
EXPIRED_FORM = "The form had expired. Please try again."


def password_hint(settings: CloudSettings) -> str:
    """What the password policy asks for, said before anyone gets it wrong."""
    return (
        f"At least {settings.password_min_length} characters, and not easy to guess: "
        "a few unrelated words work well."
    )


def _with_token(request: Request, template: str, code: int = 200, **context: Any) -> Response:
    token = new_form_token()
    page = render(request, template, status_code=code, form_csrf=token, **context)
    set_form_cookie(request, page, token, FORMS_PATH)
    return page


def _forgot_page(request: Request, error: str | None = None, email: str = "") -> Response:
    code = status.HTTP_400_BAD_REQUEST if error else status.HTTP_200_OK
    return _with_token(request, "forgot_password.html", code, error=error, email=email)


@router.get("/forgot")
def forgot_form(request: Request) -> Response:
    """Ask for a reset link."""
    return _forgot_page(request)


@router.post("/forgot")
def forgot(
    *,
    request: Request,
    background: BackgroundTasks,
    db: DbSession,
    settings: Settings,
    mail: Mail,
    now: Now,
    address: ClientAddress,
    email: Annotated[str, Form(max_length=320)],
    csrf_token: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    """Send a link if the address has an account (and is within the limits); one answer."""
    if not form_token_matches(request, csrf_token):
        return _forgot_page(request, EXPIRED_FORM, email)
    try:
        asked = PasswordResetRequestIn(email=email.strip())
    except ValidationError:
        return _forgot_page(request, "Enter an email address, like name@example.com.", email)
    message = CredentialService(db, settings).request_reset(asked.email, address, now)
    if message is not None:
        background.add_task(send_account_email, mail, message)
    return render(request, "reset_requested.html", answer=ResetRequestedOut().detail)


def _reset_page(
    request: Request, settings: CloudSettings, token: str, error: str | None = None
) -> Response:
    code = status.HTTP_400_BAD_REQUEST if error else status.HTTP_200_OK
    return _with_token(
        request,
        "reset_password.html",
        code,
        token=token,
        error=error,
        hint=password_hint(settings),
    )


def _link_refused(request: Request, reason: str) -> HTMLResponse:
    return render(request, "reset_refused.html", status_code=status.HTTP_410_GONE, reason=reason)


@router.get("/reset")
def reset_form(
    request: Request,
    db: DbSession,
    settings: Settings,
    now: Now,
    token: Annotated[str, Query(max_length=200)] = "",
) -> Response:
    """Choose a new password, if the link still works."""
    try:
        CredentialService(db, settings).check_reset_link(token, now)
    except ValidationFailedError as refused:
        return _link_refused(request, refused.message)
    return _reset_page(request, settings, token)


@router.post("/reset")
def reset(
    *,
    request: Request,
    db: DbSession,
    settings: Settings,
    cache: UserCache,
    now: Now,
    token: Annotated[str, Form(max_length=200)],
    password: Annotated[str, Form(max_length=256)],
    csrf_token: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    """Set the new password; every session of the user ends, then they sign in again."""
    if not form_token_matches(request, csrf_token):
        return _reset_page(request, settings, token, EXPIRED_FORM)
    service = CredentialService(db, settings)
    try:
        service.check_reset_link(token, now)
    except ValidationFailedError as refused:
        return _link_refused(request, refused.message)
    try:
        user_id = service.confirm_reset(token, password, now)
    except ValidationFailedError as refused:
        return _reset_page(request, settings, token, refused.message)
    cache.forget_user(user_id)
    user = db.get(User, user_id)
    query = urlencode({"notice": "reset", "email": user.email if user else ""})
    response = RedirectResponse(f"/app/login?{query}", status_code=status.HTTP_303_SEE_OTHER)
    response.delete_cookie(SESSION_COOKIE, path="/app")
    return response
