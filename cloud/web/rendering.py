"""Rendering pages: the Jinja2 environment, and the headers every page is sent with."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from cloud.web.sessions import SignedIn

TEMPLATES_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"

templates = Jinja2Templates(directory=TEMPLATES_DIR)


def local_time(moment: datetime | None, timezone: str, pattern: str = "%H:%M") -> str:
    """`moment` on the patient's clock ("" for none): people read times where the patient is."""
    if moment is None:
        return ""
    return moment.astimezone(ZoneInfo(timezone)).strftime(pattern)


def label(value: Any) -> str:
    """An enum value or snake_case name as words ("on_time" -> "on time")."""
    return str(getattr(value, "value", value)).replace("_", " ")


def sentence(message: str) -> str:
    """A service's message ("the password is too short: ...") as a sentence for a page."""
    text = message.strip()
    if not text:
        return text
    return text[0].upper() + text[1:] + ("" if text.endswith((".", "!", "?")) else ".")


templates.env.filters["local"] = local_time
templates.env.filters["sentence"] = sentence
templates.env.filters["label"] = label

# Everything a page loads comes from MedMind itself; nothing may frame it.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
PAGE_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    # Private pages are never kept: after logout the back button cannot show them.
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def render(
    request: Request,
    template: str,
    who: SignedIn | None = None,
    *,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    """The template rendered for `who` (None on public pages) with the page headers."""
    context |= {"who": who, "csrf_token": who.csrf_token if who else None}
    return templates.TemplateResponse(
        request, template, context, status_code=status_code, headers=PAGE_HEADERS
    )
