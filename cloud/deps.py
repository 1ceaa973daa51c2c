"""FastAPI dependencies: settings, a session per request, the current user, patient access."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable, Coroutine
from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, Path, Request
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from cloud.clock import Clock
from cloud.config import CloudSettings
from cloud.errors import AuthenticationError, PermissionDeniedError
from cloud.patients.access import PatientAccess
from cloud.patients.models import Patient
from cloud.users.active_cache import ActiveUserCache
from cloud.users.models import User
from cloud.users.tokens import VerifiedTokens
from shared.enums import Role

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/login", auto_error=False)


# Dependencies that do no I/O are `async def`: FastAPI runs sync ones in a worker thread, and
# those hops cost more than the work on a busy machine.


async def get_settings(request: Request) -> CloudSettings:
    """The app's settings."""
    settings: CloudSettings = request.app.state.settings
    return settings


async def get_db(request: Request) -> AsyncIterator[Session]:
    """A session for this request, closed afterwards (services commit or roll back).

    Opening a session does no I/O and closing it only returns its connection to the pool, so
    this runs on the event loop instead of costing two thread hops per request.
    """
    session: Session = request.app.state.session_factory()
    try:
        yield session
    finally:
        session.close()


async def app_clock(request: Request) -> Clock:
    """The app's clock (the real one, or the simulator's virtual clock)."""
    clock: Clock = request.app.state.clock
    return clock


async def current_time(clock: Annotated[Clock, Depends(app_clock)]) -> datetime:
    """Now, on the app's clock."""
    return clock()


Settings = Annotated[CloudSettings, Depends(get_settings)]
DbSession = Annotated[Session, Depends(get_db)]
AppClock = Annotated[Clock, Depends(app_clock)]
Now = Annotated[datetime, Depends(current_time)]


async def current_user(
    request: Request,
    db: DbSession,
    settings: Settings,
    token: Annotated[str | None, Depends(oauth2_scheme)],
) -> User:
    """The active user named by the bearer access token (recently loaded ones from cache)."""
    if not token:
        raise AuthenticationError("not authenticated: send a bearer access token")
    tokens: VerifiedTokens = request.app.state.verified_tokens
    claims = tokens.read(settings, token, "access")
    cache: ActiveUserCache = request.app.state.user_cache
    user = cache.get(claims.user_id)
    if user is None:
        user = await run_in_threadpool(db.get, User, claims.user_id)
        if user is None or not user.is_active:
            raise AuthenticationError("the token's user no longer exists or is disabled")
        cache.put(user)
    return user


CurrentUser = Annotated[User, Depends(current_user)]


def require_role(*roles: Role) -> Callable[[User], Coroutine[Any, Any, User]]:
    """A dependency admitting only users of `roles` (403 for the others)."""

    async def check(user: CurrentUser) -> User:
        if user.role not in roles:
            raise PermissionDeniedError(
                f"this action needs one of the roles: {', '.join(r.value for r in roles)}"
            )
        return user

    return check


CareTeam = Annotated[User, Depends(require_role(Role.ADMIN, Role.DOCTOR, Role.CAREGIVER))]
Clinician = Annotated[User, Depends(require_role(Role.ADMIN, Role.DOCTOR))]
Admin = Annotated[User, Depends(require_role(Role.ADMIN))]


async def patient_access(db: DbSession, user: CurrentUser) -> PatientAccess:
    """The ownership rule for the current user."""
    return PatientAccess(db, user)


Access = Annotated[PatientAccess, Depends(patient_access)]
PatientId = Annotated[uuid.UUID, Path(description="Patient id.")]


def visible_patient(patient_id: PatientId, access: Access) -> Patient:
    """The path's patient, if the current user may see it (404 otherwise)."""
    return access.require(patient_id)


VisiblePatient = Annotated[Patient, Depends(visible_patient)]
