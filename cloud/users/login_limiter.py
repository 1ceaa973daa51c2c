"""Failed-login limits kept in PostgreSQL, so they hold across restarts and API processes.

Two kinds of keys count failures separately: the account (`email:…`) with a low limit, and the
client address (`ip:…`) with a high one. Past its limit a key is blocked with back-off: the
block doubles with each further failure, up to a cap. A refused (blocked) attempt is not
counted, so hammering one account blocks that account, not the address it comes from: others
behind the same router still sign in. A key forgets its failures after a quiet window.

Password-reset requests are counted the same way (every request, not failures) under keys of
their own (`reset:email:…`, `reset:ip:…`), so asking for resets never blocks a sign-in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import text
from sqlalchemy.orm import Session

from cloud.config import CloudSettings

_BLOCKED_FOR = text(
    "SELECT extract(epoch FROM max(blocked_until) - :now) FROM login_throttles"
    " WHERE key = ANY(:keys) AND blocked_until > :now"
)

# One row per key. Its count restarts once it has been quiet (no failure, no block) for a
# window; at its limit a key is blocked for base * 2^(failures - limit) seconds, at most the cap.
_LIMIT = "CASE WHEN {key} LIKE :account_keys THEN :per_account ELSE :per_address END"
_COUNT = (
    "CASE WHEN greatest(t.last_failure_at, t.blocked_until) < :quiet_since"
    " THEN 1 ELSE t.failures + 1 END"
)
_BLOCK = (
    "CASE WHEN {n} >= {lim}"
    " THEN :now + make_interval(secs => least(:cap, :base * power(2, {n} - {lim}))) END"
)
_RECORD_FAILURES = text(
    f"""
    INSERT INTO login_throttles AS t (key, failures, last_failure_at, blocked_until)
    SELECT key, 1, :now, {_BLOCK.format(n="1", lim=_LIMIT.format(key="key"))}
    FROM unnest(CAST(:keys AS text[])) AS key
    ON CONFLICT (key) DO UPDATE SET
        failures = {_COUNT},
        last_failure_at = :now,
        blocked_until = {_BLOCK.format(n=f"({_COUNT})", lim=_LIMIT.format(key="t.key"))}
    """
)


_QUIET = (
    "greatest(last_failure_at, blocked_until) < :quiet_since"
    " AND (key LIKE :account_keys OR key LIKE :address_keys)"
)
# Bounded, so a failed login never pays for a large sweep.
_FORGET_SOME = text(
    "DELETE FROM login_throttles WHERE key IN "
    f"(SELECT key FROM login_throttles WHERE {_QUIET} LIMIT 100 FOR UPDATE SKIP LOCKED)"
)


RESET_PREFIX = "reset:"


@dataclass(frozen=True)
class LoginLimits:
    """Failures allowed per account and per address, the quiet window, the back-off."""

    per_account: int
    per_address: int
    window_s: float
    backoff_base_s: float
    backoff_max_s: float
    # What the keys of this kind of attempt start with ("" sign-ins, RESET_PREFIX resets).
    prefix: str = ""


def login_limits(settings: CloudSettings) -> LoginLimits:
    """The configured failed-login limits."""
    return LoginLimits(
        per_account=settings.login_rate_limit,
        per_address=settings.login_address_limit,
        window_s=settings.login_rate_window_s,
        backoff_base_s=settings.login_backoff_base_s,
        backoff_max_s=settings.login_backoff_max_s,
    )


def reset_limits(settings: CloudSettings) -> LoginLimits:
    """The configured limits of password-reset requests (each request counts, not failures)."""
    return LoginLimits(
        per_account=settings.password_reset_account_limit,
        per_address=settings.password_reset_address_limit,
        window_s=settings.password_reset_window_s,
        backoff_base_s=settings.password_reset_window_s,
        backoff_max_s=24 * 3600,
        prefix=RESET_PREFIX,
    )


class LoginLimiter:
    """Checks and counts failed logins of one attempt's keys; owns its transaction."""

    def __init__(self, db: Session, limits: LoginLimits) -> None:
        self.db = db
        self.limits = limits

    @staticmethod
    def keys(email: str, address: str, prefix: str = "") -> tuple[str, str]:
        """The account key and the address key of an attempt (`prefix`: its limits' prefix)."""
        return f"{prefix}email:{email.strip().lower()}", f"{prefix}ip:{address}"

    def _families(self) -> dict[str, str]:
        prefix = self.limits.prefix
        return {"account_keys": f"{prefix}email:%", "address_keys": f"{prefix}ip:%"}

    def retry_after(self, keys: tuple[str, str], now: datetime) -> float | None:
        """Seconds until the attempt's keys are unblocked, or None if neither is blocked."""
        wait = self.db.scalar(_BLOCKED_FOR, {"keys": list(keys), "now": now})
        self.db.rollback()
        return None if wait is None else float(wait)

    def record_failure(self, keys: tuple[str, str], now: datetime) -> None:
        """Count one failed attempt against the account and the address, and forget a few
        keys gone quiet (so a spray of made-up emails does not grow the table for good)."""
        self.db.execute(
            _RECORD_FAILURES,
            {
                "keys": list(keys),
                "per_account": self.limits.per_account,
                "per_address": self.limits.per_address,
                "now": now,
                "quiet_since": now - timedelta(seconds=self.limits.window_s),
                "base": self.limits.backoff_base_s,
                "cap": self.limits.backoff_max_s,
                **self._families(),
            },
        )
        self.db.execute(
            _FORGET_SOME,
            {"quiet_since": now - timedelta(seconds=self.limits.window_s), **self._families()},
        )
        self.db.commit()

    def succeeded(self, keys: tuple[str, str], now: datetime) -> None:
        """A correct password clears the account's failures (the address keeps its count)."""
        self.db.execute(text("DELETE FROM login_throttles WHERE key = :key"), {"key": keys[0]})
        self.db.commit()
