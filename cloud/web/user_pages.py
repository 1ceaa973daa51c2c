"""User administration for admins: find people, deactivate and reactivate them, change their
role, with `UserService` as the REST `/users` routes use it (a deactivation or a role change
ends the person's sessions; nobody changes their own account)."""

from __future__ import annotations

import uuid
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request, Response, status
from fastapi.responses import HTMLResponse, RedirectResponse

from cloud.api.pagination import PageParams, paginate
from cloud.deps import DbSession, Now, Settings, UserCache
from cloud.errors import ConflictError, NotFoundError
from cloud.users.models import User
from cloud.users.service import UserService
from cloud.web.deps import CheckedForm, NotAllowedError, PageNotFoundError, WebUser
from cloud.web.rendering import render
from shared.enums import Role

router = APIRouter()
PER_PAGE = 50
# The roles the REST role change accepts between (a patient login stays a patient's).
STAFF_ROLES = (Role.ADMIN, Role.DOCTOR, Role.CAREGIVER)


def _admin(who: WebUser) -> None:
    if who.user.role is not Role.ADMIN:
        raise NotAllowedError


def _page(
    request: Request,
    who: WebUser,
    db: DbSession,
    settings: Settings,
    *,
    q: str = "",
    role: str = "",
    active: str = "",
    page: int = 1,
    error: str | None = None,
) -> HTMLResponse:
    chosen_role = next((r for r in Role if r.value == role), None)
    chosen_active = {"yes": True, "no": False}.get(active)
    statement = UserService(db, settings).search(chosen_role, chosen_active, q.strip() or None)
    listed = paginate(db, statement, PageParams(PER_PAGE, (page - 1) * PER_PAGE), lambda u: u)
    users: list[User] = listed.items
    kept = {
        name: value for name, value in {"q": q, "role": role, "active": active}.items() if value
    }
    last_page = max(1, -(-listed.total // PER_PAGE))

    def page_url(number: int) -> str:
        return f"/app/users?{urlencode({**kept, 'page': number})}"

    return render(
        request,
        "users.html",
        who,
        status_code=status.HTTP_400_BAD_REQUEST if error else status.HTTP_200_OK,
        users=users,
        total=listed.total,
        roles=list(Role),
        staff_roles=STAFF_ROLES,
        filters={"q": q, "role": role, "active": active},
        back=page_url(page),
        page=page,
        last_page=last_page,
        previous_url=page_url(page - 1) if page > 1 else None,
        next_url=page_url(page + 1) if page < last_page else None,
        error=error,
    )


@router.get("/users")
def users_page(
    *,
    request: Request,
    who: WebUser,
    db: DbSession,
    settings: Settings,
    q: Annotated[str, Query(max_length=100)] = "",
    role: Annotated[str, Query(max_length=20)] = "",
    active: Annotated[str, Query(max_length=3)] = "",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> HTMLResponse:
    """Everyone with a login, by email, optionally filtered."""
    _admin(who)
    return _page(request, who, db, settings, q=q, role=role, active=active, page=page)


def _user_id(text: str) -> uuid.UUID:
    try:
        return uuid.UUID(text)
    except ValueError:
        raise PageNotFoundError from None


def _done(form: CheckedForm) -> Response:
    back = str(form.get("back", ""))
    target = back if back.startswith("/app/users") else "/app/users"
    return RedirectResponse(target, status_code=status.HTTP_303_SEE_OTHER)


def _change(
    request: Request, who: WebUser, db: DbSession, settings: Settings, error: ConflictError
) -> HTMLResponse:
    return _page(request, who, db, settings, error=error.message)


@router.post("/users/{user_id}/active")
def set_active(
    *,
    request: Request,
    who: WebUser,
    db: DbSession,
    settings: Settings,
    cache: UserCache,
    now: Now,
    form: CheckedForm,
    user_id: str,
) -> Response:
    """Deactivate (every session ends at once) or reactivate someone."""
    _admin(who)
    target = _user_id(user_id)
    try:
        UserService(db, settings).set_active(who.user, target, form.get("active") == "yes", now)
    except NotFoundError:
        raise PageNotFoundError from None
    except ConflictError as refused:
        return _change(request, who, db, settings, refused)
    cache.forget_user(target)
    return _done(form)


@router.post("/users/{user_id}/role")
def set_role(
    *,
    request: Request,
    who: WebUser,
    db: DbSession,
    settings: Settings,
    cache: UserCache,
    now: Now,
    form: CheckedForm,
    user_id: str,
) -> Response:
    """Give someone another role (their sessions end)."""
    _admin(who)
    target = _user_id(user_id)
    role = next((r for r in STAFF_ROLES if r.value == form.get("role")), None)
    if role is None:
        return _page(request, who, db, settings, error="Choose admin, doctor or caregiver.")
    try:
        UserService(db, settings).set_role(who.user, target, role, now)
    except NotFoundError:
        raise PageNotFoundError from None
    except ConflictError as refused:
        return _change(request, who, db, settings, refused)
    cache.forget_user(target)
    return _done(form)
