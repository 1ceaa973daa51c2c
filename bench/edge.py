"""Edge agent benchmark: a simulated week on the virtual clock, and the idle CPU of the agent on
the real clock.

The week runs the real agent (SQLite store, reminder engine, MockFactory buttons, virtual
speaker) with a patient who answers most reminders after a few minutes, snoozes some, skips a
few and forgets some. Then a fresh agent runs on the real clock with nothing due, and its process
CPU time is measured over `--idle-seconds`. Last line: one JSON object.

    .venv/bin/python bench/edge.py [--days 7] [--idle-seconds 60]
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import tempfile
import threading
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from edge_agent.agent import Agent
from edge_agent.clock import Clock, RealClock, VirtualClock
from edge_agent.config import EdgeSettings, GpioSettings
from edge_agent.hardware import Hardware, make_pin_factory
from edge_agent.speaker import VirtualSpeaker
from shared.enums import Button, Severity
from shared.plan import MedicationPlan, PlanItem

START = datetime(2026, 10, 19, 4, 0, tzinfo=UTC)  # a week that includes the fall-back Sunday


def bench_plan(start_date: date) -> MedicationPlan:
    def item(name: str, times: list[str], **extra: object) -> PlanItem:
        return PlanItem.model_validate(
            {
                "item_id": uuid.uuid4(),
                "medication_name": name,
                "dose": 10.0,
                "unit": "mg",
                "times_of_day": times,
                "start_date": start_date,
                **extra,
            }
        )

    return MedicationPlan(
        plan_id=uuid.uuid4(),
        patient_id=uuid.uuid4(),
        version=1,
        timezone="Europe/Berlin",
        items=[
            item("Metformin", ["08:00", "20:00"]),
            item("Lisinopril", ["08:00"]),
            item("Atorvastatin", ["22:00"]),
            item("Levothyroxine", ["06:30"]),
            item("Amlodipine", ["13:00"]),
            item("Paracetamol", [], as_needed=True, max_per_day=4),
        ],
    )


def build_agent(data_dir: Path, clock: Clock) -> tuple[Agent, Hardware, VirtualSpeaker]:
    settings = EdgeSettings(
        data_dir=data_dir, timezone="Europe/Berlin", gpio=GpioSettings(pin_factory="mock")
    )
    hardware = Hardware(settings.gpio, make_pin_factory("mock"), settings.reminders.debounce_ms)
    speaker = VirtualSpeaker(clock)
    agent = Agent(settings, clock=clock, speaker=speaker, hardware=hardware)
    return agent, hardware, speaker


def press(clock: VirtualClock, hardware: Hardware, button: Button, hold_s: float = 0.2) -> None:
    pin = hardware.button_pin(button)
    pin.drive_low()
    clock.advance(hold_s)
    pin.drive_high()
    clock.advance(0.1)


def simulate_week(days: int, seed: int = 7) -> dict[str, float]:
    """Run `days` of patient life minute by minute; return counts."""
    rng = random.Random(seed)
    clock = VirtualClock(START)
    with tempfile.TemporaryDirectory(prefix="medmind-bench-") as workdir:
        agent, hardware, speaker = build_agent(Path(workdir), clock)
        agent.store.apply_plan(bench_plan(START.date()))
        agent.start()
        answer_at: datetime | None = None
        heard = 0
        presses = 0
        end = START + timedelta(days=days)
        while clock.now() < end:
            clock.advance(60)
            new = speaker.said[heard:]
            heard = len(speaker.said)
            if answer_at is None and any(text.startswith("It is time") for text in new):
                # Most reminders are answered within half an hour; some never are.
                answer_at = clock.now() + timedelta(minutes=rng.choice([1, 3, 5, 12, 30, 300]))
                if rng.random() < 0.15:
                    press(clock, hardware, Button.SNOOZE)
                    presses += 1
            if answer_at is not None and clock.now() >= answer_at:
                if rng.random() < 0.05:
                    press(clock, hardware, Button.SNOOZE, hold_s=2.5)
                else:
                    press(clock, hardware, Button.TAKEN)
                presses += 1
                answer_at = None
            if rng.random() < 0.001:
                agent.actions.take_as_needed("paracetamol")
            if rng.random() < 0.0005:
                agent.actions.log_symptom("headache", severity=Severity.MILD)
        counts = {
            "presses": float(presses),
            "utterances": float(len(speaker.said)),
            "dose_events": float(
                agent.store.query("SELECT count(*) AS n FROM dose_events")[0]["n"]
            ),
            "outbox_depth": float(agent.store.outbox_depth()),
        }
        agent.close()
        return counts


def measure_idle(seconds: float) -> float:
    """Process CPU % of a real-clock agent with nothing due, over `seconds` of wall time."""
    with tempfile.TemporaryDirectory(prefix="medmind-idle-") as workdir:
        agent, _, _ = build_agent(Path(workdir), RealClock())
        # A plan whose doses are far from now, so the agent only waits.
        now = datetime.now(UTC).astimezone(bench_plan(START.date()).zone)
        far = (now + timedelta(hours=6)).strftime("%H:%M")
        plan = bench_plan(now.date()).model_copy(
            update={
                "items": [
                    bench_plan(now.date()).items[0].model_copy(update={"times_of_day": [far]})
                ]
            }
        )
        agent.store.apply_plan(plan)
        agent.start()
        runner = threading.Thread(target=agent.run_forever, daemon=True)
        runner.start()
        time.sleep(0.5)  # let start-up work finish before measuring
        cpu0, wall0 = time.process_time(), time.monotonic()
        time.sleep(seconds)
        cpu1, wall1 = time.process_time(), time.monotonic()
        agent.stop()
        runner.join(timeout=10)
        agent.close()
        return 100.0 * (cpu1 - cpu0) / (wall1 - wall0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=7)
    parser.add_argument("--idle-seconds", type=float, default=60.0)
    args = parser.parse_args()

    wall0, cpu0 = time.perf_counter(), time.process_time()
    counts = simulate_week(args.days)
    week_wall = time.perf_counter() - wall0
    week_cpu = time.process_time() - cpu0
    print(f"simulated {args.days} days: {week_wall:.2f} s wall, {week_cpu:.2f} s CPU, {counts}")
    idle = measure_idle(args.idle_seconds)
    peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    print(
        f"idle agent over {args.idle_seconds:g} s: {idle:.3f} % CPU; peak RSS {peak_rss_mb:.1f} MB"
    )
    print(
        json.dumps(
            {
                "week_days": args.days,
                "week_wall_s": round(week_wall, 3),
                "week_cpu_s": round(week_cpu, 3),
                "peak_rss_mb": round(peak_rss_mb, 1),
                "idle_cpu_pct": round(idle, 3),
                "idle_seconds": args.idle_seconds,
                **{key: int(value) for key, value in counts.items()},
            }
        )
    )


if __name__ == "__main__":
    main()
