"""Power-loss safety: SIGKILL the agent at random moments of a simulated day, restart it each
time, and check that every press is recorded exactly once and no reminder was lost."""

from __future__ import annotations

import random
import signal
import sqlite3
import subprocess
import sys
import threading
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

from shared.envelope import parse_envelope
from tests.edge_agent.factories import local
from tests.edge_agent.power_loss_driver import DAY_END, PRESSES, minute_index, press_label
from tests.support.paths import REPO_ROOT

REPO = REPO_ROOT
KILLS = 14
SEED = 20260601
LAST_MINUTE = minute_index(DAY_END)
PRESS_MINUTES = [minute_index(local(2026, 6, 1, h, m)) for h, m, _, _ in PRESSES]


@dataclass
class Run:
    lines: list[str]
    finished: bool
    last_minute: int


def run_driver(data_dir: Path, *, kill_at_minute: int | None, kill_after_s: float | None) -> Run:
    """Run the driver once; SIGKILL it once it reports `kill_at_minute` or after `kill_after_s`
    seconds (while it may still be booting), whichever comes first. Both None: let it finish."""
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.edge_agent.power_loss_driver", str(data_dir)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
    )
    output = child.stdout
    assert output is not None
    lines: list[str] = []
    reached = threading.Event()

    def read() -> None:
        for line in output:
            lines.append(line.strip())
            # "PRESSING n" comes just before the press of minute n: a kill then lands mid-press.
            word, _, number = line.strip().partition(" ")
            at_or_past = word in ("AT", "PRESSING") and int(number) >= (kill_at_minute or 0)
            if kill_at_minute is not None and at_or_past:
                reached.set()
        reached.set()

    reader = threading.Thread(target=read)
    reader.start()
    if kill_at_minute is not None:
        reached.wait(timeout=kill_after_s or 120)
    killed = kill_at_minute is not None or kill_after_s is not None
    try:
        child.wait(timeout=0 if kill_at_minute is not None else kill_after_s or 120)
    except subprocess.TimeoutExpired:
        child.send_signal(signal.SIGKILL)
        child.wait()
    reader.join()
    minutes = [int(line.split()[1]) for line in lines if line.startswith("AT ")]
    finished = "FINISHED" in lines
    assert finished or killed, f"driver died by itself: {lines[-5:]}"
    return Run(lines, finished, max(minutes, default=-1))


@pytest.mark.slow
def test_sigkill_at_random_points_loses_and_doubles_nothing(tmp_path: Path) -> None:
    rng = random.Random(SEED)
    data_dir = tmp_path / "device"
    data_dir.mkdir()
    done: Counter[str] = Counter()
    kills, position, finished = 0, 0, False
    while not finished:
        if kills >= KILLS or position >= LAST_MINUTE - 1:
            run = run_driver(data_dir, kill_at_minute=None, kill_after_s=None)
        elif rng.random() < 0.25:
            # Mid-boot: imports, migrations, plan application, start-up catch-up. The minute
            # bound keeps a fast machine from finishing the whole day before the kill lands.
            bound = position + 1 + int((LAST_MINUTE - position) / (KILLS - kills + 1))
            run = run_driver(
                data_dir,
                kill_at_minute=min(bound, LAST_MINUTE - 1),
                kill_after_s=rng.uniform(0.4, 1.6),
            )
        else:
            # Mid-day, often right at a press so the kill lands in or around its transaction.
            # Spread the remaining kills over the rest of the day.
            stride = (LAST_MINUTE - position) / (KILLS - kills + 1)
            target = position + 1 + int(stride * rng.uniform(0.2, 1.5))
            press_ahead = [m for m in PRESS_MINUTES if position < m <= target]
            if press_ahead and rng.random() < 0.6:
                target = press_ahead[0]
            target = min(target, LAST_MINUTE - 1)
            run = run_driver(data_dir, kill_at_minute=target, kill_after_s=None)
        done.update(line.removeprefix("DONE ") for line in run.lines if line.startswith("DONE "))
        finished = run.finished
        kills += 0 if finished else 1
        position = max(position, run.last_minute)
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
