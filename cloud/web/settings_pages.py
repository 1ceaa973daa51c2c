"""Notification settings: a person's own channels (email, webhook) and what was delivered to
them and when, through `cloud.notifications.channels` as the REST routes do."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request, Response, status
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError

from cloud.deps import DbSession
from cloud.errors import ConflictError, NotFoundError
from cloud.notifications.channels import ChannelIn, ChannelService, deliveries_of
from cloud.notifications.models import ChannelKind
from cloud.web.deps import CheckedForm, PageNotFoundError, WebUser
from cloud.web.rendering import render

router = APIRouter()
RECENT_DELIVERIES = 50
# The in-app feed is every user's by default; people add the channels that leave MedMind.
ADDABLE = (ChannelKind.EMAIL, ChannelKind.WEBHOOK)


def _page(request: Request, who: WebUser, db: DbSession, error: str | None = None) -> HTMLResponse:
    deliveries = db.execute(deliveries_of(who.user.id).limit(RECENT_DELIVERIES)).all()
    return render(
        request,
        "settings.html",
        who,
        status_code=status.HTTP_400_BAD_REQUEST if error else status.HTTP_200_OK,
        channels=ChannelService(db).of_user(who.user.id),
        deliveries=deliveries,
        kinds=ADDABLE,
        error=error,
    )


def _saved() -> Response:
    return RedirectResponse("/app/settings#channels", status_code=status.HTTP_303_SEE_OTHER)


@router.get("/settings")
def settings_page(request: Request, who: WebUser, db: DbSession) -> HTMLResponse:
    """The user's channels and recent deliveries."""
    return _page(request, who, db)


@router.post("/settings/channels")
def add_channel(request: Request, who: WebUser, db: DbSession, form: CheckedForm) -> Response:
    """Add an email address or a webhook to be told on."""
    kind = form.get("kind")
    try:
        spec = ChannelIn(
            kind=kind if kind in {k.value for k in ADDABLE} else ChannelKind.EMAIL,
            target=str(form.get("target", "")).strip(),
            secret=str(form.get("secret", "")).strip() or None,
        )
        ChannelService(db).add(who.user.id, spec)
    except ValidationError as exc:
        reason = exc.errors()[0]["msg"].removeprefix("Value error, ")
        return _page(request, who, db, f"Not added: {reason}.")
    except ConflictError:
        return _page(request, who, db, "Not added: you already have this channel.")
    return _saved()


@router.post("/settings/channels/{channel_id}/remove")
def remove_channel(who: WebUser, db: DbSession, _: CheckedForm, channel_id: str) -> Response:
    """Stop being told on one of the user's channels."""
    try:
        ChannelService(db).remove(who.user.id, uuid.UUID(channel_id))
    except (ValueError, NotFoundError):
        raise PageNotFoundError from None
    return _saved()
