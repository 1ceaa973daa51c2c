"""An address the API accepts is one address in an email's header, never a group or a list."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter

from cloud.notifications.email import build_message
from cloud.users.schemas import EMAIL_PATTERN, Email

ACCEPTED = TypeAdapter(Email)


@settings(max_examples=500, deadline=None)
@given(st.from_regex(EMAIL_PATTERN, fullmatch=True).filter(lambda text: len(text) <= 254))
def test_every_accepted_address_is_a_single_recipient(address: str) -> None:
    ACCEPTED.validate_python(address)

    message = build_message("medmind@example.com", address, "Your invitation", "Welcome")

    assert len(message["To"].addresses) == 1, f"{address!r} is not one recipient"
