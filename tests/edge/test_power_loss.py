"""Power-loss safety: SIGKILL the agent at random moments of a simulated day, restart it each
time, and check that every press is recorded exactly once and no reminder was lost."""

from __future__ import annotations

import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest

from shared.envelope import parse_envelope
from tests.edge.power_loss_driver import PRESSES, press_label

REPO = Path(__file__).resolve().parents[2]
KILLS = 12
SEED = 20260601


def run_driver(data_dir: Path, kill_after: float | None) -> tuple[list[str], bool]:
    """Run the driver once; SIGKILL it after `kill_after` seconds. Returns (lines, finished)."""
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.edge.power_loss_driver", str(data_dir)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
    )
    output = child.stdout
    assert output is not None
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(line.strip() for line in output))
    reader.start()
    try:
        child.wait(timeout=kill_after if kill_after is not None else 120)
    except subprocess.TimeoutExpired:
        child.send_signal(signal.SIGKILL)
        child.wait()
    reader.join()
    return lines, "FINISHED" in lines


@pytest.mark.slow
def test_sigkill_at_random_points_loses_and_doubles_nothing(tmp_path: Path) -> None:
    rng = random.Random(SEED)
    data_dir = tmp_path / "device"
    data_dir.mkdir()
    done: Counter[str] = Counter()
    kills = 0
    started = time.monotonic()
    finished = False
    while not finished:
        # Kill anywhere from mid-import to well into the day, then let the last run finish.
        kill_after = rng.uniform(0.4, 2.0) if kills < KILLS else None
        lines, finished = run_driver(data_dir, kill_after)
        done.update(line.removeprefix("DONE ") for line in lines if line.startswith("DONE "))
        kills += 0 if finished else 1
        assert time.monotonic() - started < 150, "the power-loss loop is taking far too long"
    assert kills >= KILLS, "the agent was not killed as often as planned"
    assert set(done) == {press_label(h, m, b) for h, m, b, _ in PRESSES}

    db = sqlite3.connect(data_dir / "edge.sqlite3")
    db.row_factory = sqlite3.Row
    states = {
        (row["medication_name"], row["slot"]): row["state"]
        for row in db.execute("SELECT * FROM occurrences WHERE local_date = '2026-06-01'")
    }
    assert states == {
        ("Metformin", "08:00"): "on_time",
        ("Lisinopril", "08:00"): "on_time",
        ("Metformin", "12:00"): "late",
        ("Lisinopril", "14:00"): "missed",
        ("Metformin", "18:00"): "skipped",
        ("Metformin", "22:00"): "on_time",
    }, "a press was lost or a dose decided wrongly after the restarts"

    messages = [parse_envelope(row["payload"]) for row in db.execute("SELECT payload FROM outbox")]
    dose_messages = Counter(m.body.occurrence_id for m in messages if m.kind.value == "dose_event")
    assert len(dose_messages) == 6 and set(dose_messages.values()) == {1}, (
        f"dose events in the outbox are not exactly one per decided dose: {dose_messages}"
    )
    recorded = {row["message_id"] for row in db.execute("SELECT message_id FROM dose_events")}
    assert recorded == {str(m.message_id) for m in messages if m.kind.value == "dose_event"}
    alerts = [m for m in messages if m.kind.value == "alert"]
    assert len(alerts) == 1, "the missed dose must raise exactly one alert"
    seqs = sorted(m.seq for m in messages)
    assert seqs == list(range(len(messages))), "outbox sequence has gaps or repeats"

    # No reminder lost or doubled: each dose became due exactly once, all of them were reminded.
    became_due = Counter(
        row["occurrence_id"]
        for row in db.execute("SELECT occurrence_id FROM transitions WHERE event = 'due'")
    )
    assert len(became_due) == 6 and set(became_due.values()) == {1}
    unreminded = db.execute(
        "SELECT count(*) FROM occurrences WHERE local_date = '2026-06-01' AND reminders_sent = 0"
    ).fetchone()[0]
    assert unreminded == 0
