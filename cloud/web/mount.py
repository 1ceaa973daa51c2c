"""Mount the web app on the API's FastAPI app: static assets, pages, and its error pages."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, FastAPI, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from cloud.clock import Clock, utc_now
from cloud.web import (
    access_log_pages,
    account_pages,
    auth_pages,
    device_pages,
    invitation_pages,
    patient_pages,
    plan_pages,
    settings_pages,
    team_pages,
    user_pages,
)
from cloud.web.deps import (
    CsrfRefusedError,
    NotAllowedError,
    PageNotFoundError,
    SignInRequiredError,
)
from cloud.web.rendering import STATIC_DIR, render
from cloud.web.settings import WebSettings

PREFIX = "/app"


def _not_found(request: Request) -> HTMLResponse:
    return render(request, "not_found.html", status_code=status.HTTP_404_NOT_FOUND)


def mount_web(
    app: FastAPI, settings: WebSettings | None = None, session_clock: Clock = utc_now
) -> None:
    """Serve the web app under `/app` (assets under `/app/static`).

    Sessions expire on `session_clock`, the real clock by default even when the app's clock is
    a simulation's: a sign-in lasts as long for the person at the browser however fast the
    simulated day runs.
    """
    app.state.web_settings = settings or WebSettings()
    app.state.web_session_clock = session_clock
    app.mount(f"{PREFIX}/static", StaticFiles(directory=STATIC_DIR), name="web-static")
    pages = APIRouter(prefix=PREFIX, include_in_schema=False)
    pages.include_router(auth_pages.router)
    pages.include_router(patient_pages.router)
    pages.include_router(plan_pages.router)
    pages.include_router(device_pages.router)
    pages.include_router(settings_pages.router)
    pages.include_router(account_pages.router)
    pages.include_router(invitation_pages.router)
    pages.include_router(team_pages.router)
    pages.include_router(access_log_pages.router)
    pages.include_router(user_pages.router)

    @pages.get("/{anything:path}")
    def unknown_page(request: Request) -> HTMLResponse:
        return _not_found(request)

    app.include_router(pages)

    @app.exception_handler(SignInRequiredError)
    async def sign_in_required(request: Request, exc: SignInRequiredError) -> Response:
        target = f"{PREFIX}/login?{urlencode({'next': exc.next_url})}"
        if request.headers.get("HX-Request"):
            # htmx would swap the sign-in page into a fragment: send the whole page there.
            return Response(status_code=status.HTTP_204_NO_CONTENT, headers={"HX-Redirect": target})
        return RedirectResponse(target, status_code=status.HTTP_303_SEE_OTHER)

    @app.exception_handler(PageNotFoundError)
    async def page_not_found(request: Request, _: PageNotFoundError) -> HTMLResponse:
        return _not_found(request)

    @app.exception_handler(CsrfRefusedError)
    async def csrf_refused(request: Request, _: CsrfRefusedError) -> HTMLResponse:
        return render(request, "form_refused.html", status_code=status.HTTP_403_FORBIDDEN)

    @app.exception_handler(NotAllowedError)
    async def not_allowed(request: Request, _: NotAllowedError) -> HTMLResponse:
        return render(request, "not_allowed.html", status_code=status.HTTP_403_FORBIDDEN)
