"""Auth (login, refresh, me) and user administration."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, status
from fastapi.security import OAuth2PasswordRequestForm
from sqlalchemy import select

from cloud.api.pagination import Page, Paging, paginate
from cloud.config import CloudSettings
from cloud.deps import Admin, CurrentUser, DbSession, Settings
from cloud.errors import AuthenticationError, RateLimitedError
from cloud.users.models import User
from cloud.users.rate_limit import LoginRateLimiter
from cloud.users.schemas import MeOut, RefreshIn, TokenPair, UserIn, UserOut
from cloud.users.service import UserService
from cloud.users.tokens import issue_token, read_token
from shared.enums import Role

auth_router = APIRouter(prefix="/auth", tags=["auth"])
users_router = APIRouter(prefix="/users", tags=["users"])


def _pair(settings: CloudSettings, user: User) -> TokenPair:
    return TokenPair(
        access_token=issue_token(settings, user.id, user.role, "access"),
        refresh_token=issue_token(settings, user.id, user.role, "refresh"),
        expires_in=settings.access_token_minutes * 60,
    )


def _limiter(request: Request) -> LoginRateLimiter:
    limiter: LoginRateLimiter = request.app.state.login_limiter
    return limiter


@auth_router.post(
    "/login",
    response_model=TokenPair,
)
def login(
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    request: Request,
    db: DbSession,
    settings: Settings,
    limiter: Annotated[LoginRateLimiter, Depends(_limiter)],
) -> TokenPair:
    """OAuth2 password flow: `username` is the email. Failed attempts are rate limited."""
    keys = (
        f"email:{form.username.strip().lower()}",
        f"ip:{request.client.host if request.client else '-'}",
    )
    wait = limiter.retry_after(*keys)
    if wait is not None:
        seconds = int(wait) + 1
        raise RateLimitedError(f"too many failed logins; try again in {seconds} s", seconds)
    user = UserService(db).authenticate(form.username, form.password)
    if user is None:
        limiter.record_failure(*keys)
        raise AuthenticationError("wrong email or password")
    limiter.reset(keys[0])
    return _pair(settings, user)


@auth_router.post("/refresh", response_model=TokenPair)
def refresh(body: RefreshIn, db: DbSession, settings: Settings) -> TokenPair:
    """Exchange a refresh token for a new token pair."""
    claims = read_token(settings, body.refresh_token, "refresh")
    user = db.get(User, claims.user_id)
    if user is None or not user.is_active:
        raise AuthenticationError("the token's user no longer exists or is disabled")
    return _pair(settings, user)


@auth_router.get("/me", response_model=MeOut)
def me(user: CurrentUser, db: DbSession) -> MeOut:
    """Who the token belongs to."""
    out = MeOut.model_validate(user)
    out.patient_id = UserService(db).patient_id_of(user)
    return out


@users_router.get("", response_model=Page[UserOut])
def list_users(
    _: Admin,
    db: DbSession,
    page: Paging,
    role: Annotated[Role | None, Query(description="Only users of this role.")] = None,
) -> Page[UserOut]:
    """Every user (admin only)."""
    statement = select(User).order_by(User.email, User.id)
    if role is not None:
        statement = statement.where(User.role == role)
    return paginate(db, statement, page, UserOut.model_validate)


@users_router.post("", response_model=UserOut, status_code=status.HTTP_201_CREATED)
def create_user(_: Admin, body: UserIn, db: DbSession) -> UserOut:
    """Create a user of any role (admin only)."""
    return UserOut.model_validate(UserService(db).create(body))


@users_router.get("/{user_id}", response_model=UserOut)
def get_user(_: Admin, user_id: uuid.UUID, db: DbSession) -> UserOut:
    """One user (admin only)."""
    return UserOut.model_validate(UserService(db).get(user_id))
