"""The failed-login limiter blocks a key after `limit` failures in its window, and forgets."""

from __future__ import annotations

from cloud.users.rate_limit import SWEEP_FLOOR, LoginRateLimiter


class FakeMonotonic:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_key_is_blocked_after_the_limit_until_its_failures_age() -> None:
    clock = FakeMonotonic()
    limiter = LoginRateLimiter(limit=3, window_s=60, clock=clock)
    for _ in range(3):
        assert limiter.retry_after("email:a") is None
        limiter.record_failure("email:a")
        clock.now += 10

    assert limiter.retry_after("email:a") == 30, "the oldest failure ages out 60 s after it"
    assert limiter.retry_after("email:b") is None, "another key is not blocked"
    clock.now += 30
    assert limiter.retry_after("email:a") is None


def test_checking_keys_remembers_nothing() -> None:
    limiter = LoginRateLimiter(limit=3, window_s=60, clock=FakeMonotonic())

    for n in range(100):
        assert limiter.retry_after(f"email:user{n}", "ip:10.0.0.1") is None

    assert limiter.tracked_keys == 0, "keys without failures were kept"


def test_a_spray_of_made_up_emails_does_not_grow_without_bound() -> None:
    clock = FakeMonotonic()
    limiter = LoginRateLimiter(limit=3, window_s=60, clock=clock)

    for n in range(10 * SWEEP_FLOOR):
        limiter.record_failure(f"email:made-up-{n}")
        clock.now += 1.0

    assert limiter.tracked_keys <= 2 * SWEEP_FLOOR, (
        f"{limiter.tracked_keys} keys kept, though only 60 had failures in the window"
    )
