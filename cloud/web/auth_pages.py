"""Sign in and sign out.

Sign-in checks the password with the API's own `UserService.sign_in`, behind the login limiter,
so the browser is no easier a way to guess passwords. The sign-in form, posted before any
session exists, is protected by a double-submit token (`public_forms`).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request, Response, status
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session

from cloud.deps import DbSession, Settings
from cloud.errors import AccountDeactivatedError, AuthenticationError, RateLimitedError
from cloud.users.models import User
from cloud.users.service import UserService
from cloud.web.deps import SESSION_COOKIE, CheckedForm, SessionTime
from cloud.web.public_forms import form_token_matches, is_https, new_form_token, set_form_cookie
from cloud.web.rendering import render
from cloud.web.sessions import WebSessionService
from cloud.web.settings import WebSettings
from shared.enums import Role

router = APIRouter()

LOGIN_CSRF_COOKIE = "medmind_login_csrf"
HOME = "/app/"
# The web app is for the care team; a patient's own view is their device.
WEB_ROLES = (Role.ADMIN, Role.DOCTOR, Role.CAREGIVER)
# What a page that sends people to sign in may say above the form.
NOTICES = {
    "joined": "Your account is ready. Sign in with your new password.",
    "reset": "Your password is changed and every earlier sign-in has ended. Sign in again.",
}


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a page of this app, never another site."""
    if target and target.startswith("/app/") and not target.startswith("/app//"):
        return target
    return HOME


def _sign_in_page(
    request: Request,
    next_url: str,
    error: str | None = None,
    email: str = "",
    notice: str | None = None,
) -> Response:
    token = new_form_token()
    code = status.HTTP_200_OK if error is None else status.HTTP_400_BAD_REQUEST
    page = render(
        request,
        "sign_in.html",
        status_code=code,
        login_csrf=token,
        next_url=safe_next(next_url),
        error=error,
        email=email,
        notice=notice,
    )
    set_form_cookie(request, page, token, "/app/login", LOGIN_CSRF_COOKIE)
    return page


def start_session(
    request: Request, db: Session, user: User, now: datetime, target: str
) -> RedirectResponse:
    """A new web session for `user` (who just proved who they are), then on to `target`.

    A session this browser already had ends: its cookie is about to be replaced, and a copy of
    it must not go on opening someone else's pages."""
    web: WebSettings = request.app.state.web_settings
    sessions = WebSessionService(db)
    earlier = request.cookies.get(SESSION_COOKIE)
    if earlier:
        sessions.end(earlier)
    token = sessions.start(user, timedelta(hours=web.session_hours), now)
    response = RedirectResponse(safe_next(target), status_code=status.HTTP_303_SEE_OTHER)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(web.session_hours * 3600),
        path="/app",
        httponly=True,
        samesite="lax",
        secure=is_https(request),
    )
    return response


@router.get("/login", include_in_schema=False)
def sign_in_form(
    request: Request,
    next: Annotated[str, Query(max_length=2000)] = HOME,
    notice: Annotated[str, Query(max_length=20)] = "",
    email: Annotated[str, Query(max_length=320)] = "",
) -> Response:
    """The sign-in form (with a word from the page that sent the browser here, if any)."""
    return _sign_in_page(request, next, email=email, notice=NOTICES.get(notice))


@router.post("/login", include_in_schema=False)
def sign_in(
    *,
    request: Request,
    db: DbSession,
    settings: Settings,
    now: SessionTime,
    email: Annotated[str, Form(max_length=320)],
    password: Annotated[str, Form(max_length=1024)],
    csrf_token: Annotated[str, Form(max_length=100)] = "",
    next: Annotated[str, Form(max_length=2000)] = HOME,
) -> Response:
    """Check the password and start a session; back to the form with a message otherwise."""
    if not form_token_matches(request, csrf_token, LOGIN_CSRF_COOKIE):
        return _sign_in_page(request, next, "The form had expired. Please sign in again.", email)
    address = request.client.host if request.client else "-"
    try:
        user = UserService(db, settings).sign_in(email, password, address, now)
    except RateLimitedError as blocked:
        message = f"Too many failed sign-ins. Try again in {blocked.retry_after} seconds."
        return _sign_in_page(request, next, message, email)
    except AuthenticationError:
        return _sign_in_page(request, next, "Wrong email or password.", email)
    except AccountDeactivatedError as deactivated:
        return _sign_in_page(request, next, deactivated.message, email)
    if user.role not in WEB_ROLES:
        message = "This web app is for caregivers and clinicians."
        return _sign_in_page(request, next, message, email)
    response = start_session(request, db, user, now, next)
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/app/login")
    return response


@router.post("/logout", include_in_schema=False)
def sign_out(request: Request, db: DbSession, _: CheckedForm) -> Response:
    """End the session on the server and forget the cookie."""
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        WebSessionService(db).end(token)
    response = RedirectResponse("/app/login", status_code=status.HTTP_303_SEE_OTHER)
    response.delete_cookie(SESSION_COOKIE, path="/app", httponly=True, samesite="lax")
    response.headers["Clear-Site-Data"] = '"cache"'
    return response
