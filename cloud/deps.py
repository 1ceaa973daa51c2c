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

from cloud.audit.hook import AccessAudit
from cloud.clock import Clock
from cloud.config import CloudSettings
from cloud.db.replica import ReplicaSessions
from cloud.errors import AuthenticationError, PermissionDeniedError
from cloud.notifications.settings import NotificationSettings
from cloud.patients.access import PatientAccess
from cloud.patients.models import Patient
from cloud.users.active_cache import ActiveUserCache
from cloud.users.models import User
from cloud.users.sessions import LIVE_SESSION_USER
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


async def notification_settings(request: Request) -> NotificationSettings:
    """The SMTP settings account emails (invitations, resets) are sent with."""
    settings: NotificationSettings = request.app.state.notification_settings
    return settings


Mail = Annotated[NotificationSettings, Depends(notification_settings)]
DbSession = Annotated[Session, Depends(get_db)]
AppClock = Annotated[Clock, Depends(app_clock)]
Now = Annotated[datetime, Depends(current_time)]


async def get_read_db(request: Request, db: DbSession) -> AsyncIterator[Session]:
    """A session for figures that may trail the primary by a moment: on the read replica when
    one is configured (`CloudSettings.database_read_url`, read-only there) and reachable, else
    the request's own session, so a request never holds two connections of one pool at once.
    Without a replica this costs nothing; with one, its connect runs off the event loop."""
    replica: ReplicaSessions | None = request.app.state.read_sessions
    session = await run_in_threadpool(replica.open) if replica is not None else None
    if session is None:
        yield db
        return
    try:
        yield session
    finally:
        session.close()


ReadDbSession = Annotated[Session, Depends(get_read_db)]


async def client_address(request: Request) -> str:
    """The caller's network address, as the server saw it."""
    return request.client.host if request.client else "-"


ClientAddress = Annotated[str, Depends(client_address)]


async def current_user(
    request: Request,
    db: DbSession,
    settings: Settings,
    token: Annotated[str | None, Depends(oauth2_scheme)],
) -> User:
    """The active user of the live session named by the bearer access token.

    Sessions checked in the last few seconds come from the cache, so a deactivation or a
    logout reaches other API processes within `user_cache_seconds`, well inside the access
    token's lifetime.
    """
    if not token:
        raise AuthenticationError("not authenticated: send a bearer access token")
    tokens: VerifiedTokens = request.app.state.verified_tokens
    claims = tokens.read(settings, token, "access")
    cache: ActiveUserCache = request.app.state.user_cache
    user = cache.get(claims.session_id)
    if user is None:
        user = await run_in_threadpool(
            db.scalar,
            LIVE_SESSION_USER,
            {"session_id": claims.session_id, "user_id": claims.user_id},
        )
        if user is None:
            raise AuthenticationError(
                "this session has ended or its user is deactivated; sign in again"
            )
        cache.put(claims.session_id, user)
    request.state.session_id = claims.session_id
    return user


CurrentUser = Annotated[User, Depends(current_user)]


async def user_cache(request: Request) -> ActiveUserCache:
    """This process's cache of live sessions (to forget those a change ends)."""
    cache: ActiveUserCache = request.app.state.user_cache
    return cache


UserCache = Annotated[ActiveUserCache, Depends(user_cache)]


async def current_session_id(request: Request, _: CurrentUser) -> uuid.UUID:
    """The id of the session the caller's access token belongs to."""
    session_id: uuid.UUID = request.state.session_id
    return session_id


CurrentSessionId = Annotated[uuid.UUID, Depends(current_session_id)]


def require_role(*roles: Role) -> Callable[[User], Coroutine[Any, Any, User]]:
    """A dependency admitting only users of `roles` (403 for the others)."""

    async def check(user: CurrentUser) -> User:
        if user.role not in roles:
            raise PermissionDeniedError(
                f"this action needs one of the roles: {', '.join(r.value for r in roles)}"
            )
        return user

    return check


# Who may change a care team's links and read a patient's access log (the web app asks the same).
CLINICIAN_ROLES = (Role.ADMIN, Role.DOCTOR)
CareTeam = Annotated[User, Depends(require_role(Role.ADMIN, Role.DOCTOR, Role.CAREGIVER))]
Clinician = Annotated[User, Depends(require_role(*CLINICIAN_ROLES))]
Admin = Annotated[User, Depends(require_role(Role.ADMIN))]


async def patient_access(request: Request, db: DbSession, user: CurrentUser) -> PatientAccess:
    """The ownership rule for the current user; each patient it admits is in the access log."""
    return PatientAccess(db, user, AccessAudit.of_request(request))


Access = Annotated[PatientAccess, Depends(patient_access)]
PatientId = Annotated[uuid.UUID, Path(description="Patient id.")]


def visible_patient(patient_id: PatientId, access: Access) -> Patient:
    """The path's patient, if the current user may see it (404 otherwise)."""
    return access.require(patient_id)


VisiblePatient = Annotated[Patient, Depends(visible_patient)]
