"""The in-flight window and the reconnect backoff (pure logic, no broker)."""

from __future__ import annotations

import random
from dataclasses import dataclass

from edge_agent.sync.backoff import Backoff
from edge_agent.sync.window import InFlightWindow


@dataclass(frozen=True)
class Row:
    message_id: str


ROWS = [Row("a"), Row("b"), Row("c")]


def test_every_row_of_the_window_goes_out_once_until_its_ack_is_overdue() -> None:
    window = InFlightWindow(ack_timeout_s=30)
    assert window.due(ROWS, now=0) == ROWS
    for row in ROWS:
        window.mark_sent(row.message_id, now=0)

    assert window.due(ROWS, now=29.9) == []
    assert window.due(ROWS, now=30) == ROWS, "unacked rows are resent after the timeout"
    assert window.next_deadline() == 30


def test_acked_rows_leave_the_window_and_new_rows_enter_it() -> None:
    window = InFlightWindow(ack_timeout_s=30)
    for row in ROWS:
        window.mark_sent(row.message_id, now=0)
    window.acked(["a"])
    later = [Row("b"), Row("c"), Row("d")]

    assert window.due(later, now=1) == [Row("d")]
    assert len(window) == 2


def test_a_new_connection_resends_the_whole_window() -> None:
    window = InFlightWindow(ack_timeout_s=30)
    for row in ROWS:
        window.mark_sent(row.message_id, now=0)
    window.reset()

    assert window.due(ROWS, now=1) == ROWS
    assert window.next_deadline() is None


def test_backoff_doubles_up_to_the_cap_with_jitter_and_resets() -> None:
    backoff = Backoff(base_s=1, cap_s=8, rng=random.Random(7))
    delays = [backoff.next_delay() for _ in range(6)]
    ceilings = [1, 2, 4, 8, 8, 8]

    assert all(0.5 <= d <= c for d, c in zip(delays, ceilings, strict=True)), delays
    assert len(set(delays)) == len(delays), "jitter spreads the delays"
    backoff.reset()
    assert backoff.next_delay() <= 1
