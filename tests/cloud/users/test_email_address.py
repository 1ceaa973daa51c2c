"""An address the API accepts is one address in an email's header, never a group or a list."""

from __future__ import annotations

from email import message_from_bytes
from email.policy import default

import pytest
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
    as_read = message_from_bytes(message.as_bytes(), policy=default)

    assert len(message["To"].addresses) == 1, f"{address!r} is not one recipient"
    assert len(as_read["To"].addresses) == 1, f"{address!r} is read as several recipients"


@pytest.mark.parametrize(
    "address",
    ["team:carol@example.com;", "carol@example.com,dan@example.com", "=?utf-8?q?a=2Cb?=@x.com"],
)
def test_an_address_that_a_header_reads_otherwise_is_refused(address: str) -> None:
    with pytest.raises(ValueError, match="email address"):
        ACCEPTED.validate_python(address)
