"""Signing in and out, refreshing tokens, changing and resetting passwords."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Depends, Response, status
from fastapi.security import OAuth2PasswordRequestForm

from cloud.deps import (
    ClientAddress,
    CurrentSessionId,
    CurrentUser,
    DbSession,
    Mail,
    Now,
    Settings,
    UserCache,
)
from cloud.users.credentials import CredentialService
from cloud.users.mail import send_account_email
from cloud.users.schemas import (
    MeOut,
    PasswordChangeIn,
    PasswordResetIn,
    PasswordResetRequestIn,
    RefreshIn,
    ResetRequestedOut,
    TokenPair,
)
from cloud.users.service import UserService
from cloud.users.sessions import SessionService

router = APIRouter(prefix="/auth", tags=["auth"])


@router.post("/login", response_model=TokenPair)
def login(
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    address: ClientAddress,
    db: DbSession,
    settings: Settings,
    now: Now,
) -> TokenPair:
    """OAuth2 password flow: `username` is the email. Each sign-in is a session.

    Failed attempts block the account, and (at a much higher count) the address, for a while
    that grows with further failures; a blocked attempt answers 429 with `Retry-After`. The
    right password of a deactivated account answers 403 `account_deactivated`.
    """
    user = UserService(db, settings).sign_in(form.username, form.password, address, now)
    return SessionService(db, settings).open(user, address, now)


@router.post("/refresh", response_model=TokenPair)
def refresh(body: RefreshIn, db: DbSession, settings: Settings, now: Now) -> TokenPair:
    """Exchange a refresh token for a new pair; each refresh token works once.

    Presenting one that was already exchanged ends its whole session (it may have been copied).
    """
    return SessionService(db, settings).rotate(body.refresh_token, now)


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT)
def logout(
    cache: UserCache, session_id: CurrentSessionId, db: DbSession, settings: Settings, now: Now
) -> Response:
    """End the caller's session: its refresh token stops at once, its access tokens too."""
    SessionService(db, settings).revoke(session_id, "logged out", now)
    cache.forget_session(session_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/me", response_model=MeOut)
def me(user: CurrentUser, db: DbSession, settings: Settings) -> MeOut:
    """Who the token belongs to."""
    out = MeOut.model_validate(user)
    out.patient_id = UserService(db, settings).patient_id_of(user)
    return out


@router.post("/password", status_code=status.HTTP_204_NO_CONTENT)
def change_password(
    cache: UserCache,
    *,
    body: PasswordChangeIn,
    user: CurrentUser,
    session_id: CurrentSessionId,
    db: DbSession,
    settings: Settings,
    now: Now,
) -> Response:
    """Change your password; your other sessions end, this one stays."""
    CredentialService(db, settings).change(
        user, body.current_password, body.new_password, session_id, now
    )
    cache.forget_user(user.id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/password-reset", response_model=ResetRequestedOut, status_code=status.HTTP_202_ACCEPTED
)
def request_password_reset(
    body: PasswordResetRequestIn,
    *,
    address: ClientAddress,
    background: BackgroundTasks,
    db: DbSession,
    settings: Settings,
    mail: Mail,
    now: Now,
) -> ResetRequestedOut:
    """Email a single-use reset link if the address has an account; the answer is the same
    either way (and the email is sent after it), so it tells nobody who has an account.

    An address is sent a few links an hour at most, and one client may ask a limited number of
    times; past either limit the answer stays the same and no email goes out."""
    email = CredentialService(db, settings).request_reset(body.email, address, now)
    if email is not None:
        background.add_task(send_account_email, mail, email)
    return ResetRequestedOut()


@router.post("/password-reset/confirm", status_code=status.HTTP_204_NO_CONTENT)
def confirm_password_reset(
    cache: UserCache, body: PasswordResetIn, db: DbSession, settings: Settings, now: Now
) -> Response:
    """Set a new password with the token from a reset email; every session of the user ends."""
    user_id = CredentialService(db, settings).confirm_reset(body.token, body.new_password, now)
    cache.forget_user(user_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
