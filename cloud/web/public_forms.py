"""Forms posted before anyone is signed in (sign-in, forgotten password, reset, invitation):
protected by a double-submit token, a random value in a cookie only this site can set,
repeated in the form. A forged form from another site cannot read the cookie to repeat it."""

from __future__ import annotations

import secrets

from fastapi import Request, Response

from cloud.web.deps import tokens_match

FORM_CSRF_COOKIE = "medmind_form_csrf"


def is_https(request: Request) -> bool:
    """Whether the page was asked for over HTTPS (cookies are then Secure)."""
    return request.url.scheme == "https"


def new_form_token() -> str:
    """A fresh token to put in a public form and its cookie."""
    return secrets.token_urlsafe(32)


def set_form_cookie(
    request: Request, response: Response, token: str, path: str, name: str = FORM_CSRF_COOKIE
) -> None:
    """Give the browser the cookie half of a public form's token, for the form's `path`."""
    response.set_cookie(
        name, token, path=path, httponly=True, samesite="strict", secure=is_https(request)
    )


def form_token_matches(request: Request, sent: str, name: str = FORM_CSRF_COOKIE) -> bool:
    """Whether the form's token repeats the cookie's (never for a missing cookie)."""
    return tokens_match(sent, request.cookies.get(name, "") or "\0")
