"""User administration (admin only): list and search, create, deactivate, reactivate, role."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, status

from cloud.api.pagination import Page, Paging, paginate
from cloud.deps import Admin, DbSession, Now, Settings, UserCache
from cloud.users.schemas import RoleIn, UserIn, UserOut
from cloud.users.service import UserService
from shared.enums import Role

router = APIRouter(prefix="/users", tags=["users"])


@router.get("", response_model=Page[UserOut])
def list_users(
    _: Admin,
    *,
    db: DbSession,
    settings: Settings,
    page: Paging,
    role: Annotated[Role | None, Query(description="Only users of this role.")] = None,
    active: Annotated[bool | None, Query(description="Only active (or deactivated) users.")] = None,
    q: Annotated[str | None, Query(max_length=100, description="Email or name contains.")] = None,
) -> Page[UserOut]:
    """Every user, by email, optionally filtered."""
    statement = UserService(db, settings).search(role, active, q)
    return paginate(db, statement, page, UserOut.model_validate)


@router.post("", response_model=UserOut, status_code=status.HTTP_201_CREATED)
def create_user(_: Admin, body: UserIn, db: DbSession, settings: Settings) -> UserOut:
    """Create a user of any role; the password must pass the password policy."""
    return UserOut.model_validate(UserService(db, settings).create(body))


@router.get("/{user_id}", response_model=UserOut)
def get_user(_: Admin, user_id: uuid.UUID, db: DbSession, settings: Settings) -> UserOut:
    """One user."""
    return UserOut.model_validate(UserService(db, settings).get(user_id))


@router.post("/{user_id}/deactivate", response_model=UserOut)
def deactivate_user(
    admin: Admin,
    user_id: uuid.UUID,
    *,
    db: DbSession,
    settings: Settings,
    cache: UserCache,
    now: Now,
) -> UserOut:
    """Deactivate a user: every session ends at once, their records stay (not yourself)."""
    user = UserService(db, settings).set_active(admin, user_id, False, now)
    cache.forget_user(user.id)
    return UserOut.model_validate(user)


@router.post("/{user_id}/reactivate", response_model=UserOut)
def reactivate_user(
    admin: Admin, user_id: uuid.UUID, db: DbSession, settings: Settings, now: Now
) -> UserOut:
    """Let a deactivated user sign in again."""
    return UserOut.model_validate(UserService(db, settings).set_active(admin, user_id, True, now))


@router.put("/{user_id}/role", response_model=UserOut)
def change_role(
    admin: Admin,
    user_id: uuid.UUID,
    *,
    body: RoleIn,
    db: DbSession,
    settings: Settings,
    cache: UserCache,
    now: Now,
) -> UserOut:
    """Make a doctor, caregiver or admin another of those (their sessions end; not yourself)."""
    user = UserService(db, settings).set_role(admin, user_id, body.role, now)
    cache.forget_user(user.id)
    return UserOut.model_validate(user)
