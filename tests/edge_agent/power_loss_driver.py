"""Child process of the power-loss test: runs a scripted day of the real agent on a virtual clock.

`python -m tests.edge_agent.power_loss_driver DATA_DIR` resumes from the virtual time saved in
DATA_DIR/progress (or starts the day), steps the clock a minute at a time, presses the buttons
the script says at their minute, prints `PRESSING <n>` before and `DONE <press>` after the
press of minute n, and `AT <n>` after minute n. The parent kills it with SIGKILL at random
moments and starts it again; a press that was in flight is made again after the restart, which
must record it exactly once.
"""

from __future__ import annotations

import os
import sys
import uuid
from datetime import date, datetime, timedelta
from pathlib import Path

from edge_agent.agent import Agent
from edge_agent.clock import VirtualClock
from edge_agent.config import EdgeSettings, GpioSettings
from edge_agent.hardware import Hardware, make_pin_factory
from edge_agent.speaker import VirtualSpeaker
from shared.enums import Button
from shared.plan import MedicationPlan, PlanItem
from tests.edge_agent.factories import local

DAY = date(2026, 6, 1)
DAY_START = local(2026, 6, 1, 6, 0)
DAY_END = local(2026, 6, 2, 1, 0)
STEP = timedelta(minutes=1)
HOLD_SKIP_S = 3.0

# (local hour, minute, button, held) — what the patient does during the day.
PRESSES: tuple[tuple[int, int, Button, bool], ...] = (
    (8, 7, Button.TAKEN, False),  # Metformin and Lisinopril, on time
    (12, 1, Button.SNOOZE, False),
    (12, 40, Button.TAKEN, False),  # late
    (18, 30, Button.SNOOZE, True),  # skipped
    (22, 3, Button.TAKEN, False),
)
# 14:00 is never answered: it must end up missed, with one alert.

PLAN = MedicationPlan(
    plan_id=uuid.UUID("8b0b9f0e-42a1-4a4f-a8f6-0b7f1e0c0a01"),
    patient_id=uuid.UUID("8b0b9f0e-42a1-4a4f-a8f6-0b7f1e0c0a02"),
    version=1,
    timezone="Europe/Berlin",
    items=[
        PlanItem(
            item_id=uuid.UUID("8b0b9f0e-42a1-4a4f-a8f6-0b7f1e0c0a03"),
            medication_name="Metformin",
            dose=500,
            unit="mg",
            times_of_day=["08:00", "12:00", "18:00", "22:00"],
            start_date=DAY,
        ),
        PlanItem(
            item_id=uuid.UUID("8b0b9f0e-42a1-4a4f-a8f6-0b7f1e0c0a04"),
            medication_name="Lisinopril",
            dose=10,
            unit="mg",
            times_of_day=["08:00", "14:00"],
            start_date=DAY,
        ),
    ],
)


def press_label(hour: int, minute: int, button: Button) -> str:
    return f"{hour:02d}:{minute:02d}-{button.value}"


def minute_index(moment: datetime) -> int:
    """Minutes since the start of the scripted day."""
    return int((moment - DAY_START).total_seconds() // 60)


def save_progress(path: Path, moment: datetime) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(moment.isoformat())
    os.replace(tmp, path)


def main(data_dir: Path) -> None:
    progress = data_dir / "progress"
    start = datetime.fromisoformat(progress.read_text()) if progress.exists() else DAY_START
    clock = VirtualClock(start)
    settings = EdgeSettings(
        data_dir=data_dir, timezone="Europe/Berlin", gpio=GpioSettings(pin_factory="mock")
    )
    hardware = Hardware(settings.gpio, make_pin_factory("mock"), settings.reminders.debounce_ms)
    agent = Agent(settings, clock=clock, speaker=VirtualSpeaker(clock), hardware=hardware)
    if agent.store.current_plan() is None:
        agent.store.apply_plan(PLAN)
    agent.start()
    print("READY", flush=True)
    presses = {
        local(2026, 6, 1, hour, minute): (hour, minute, button, held)
        for hour, minute, button, held in PRESSES
    }
    minute = clock.now().replace(second=0, microsecond=0)
    while minute < DAY_END:
        target = minute + STEP
        clock.advance_to(max(target, clock.now()))
        if target in presses:
            hour, minute_of_hour, button, held = presses[target]
            print(f"PRESSING {minute_index(target)}", flush=True)
            pin = hardware.button_pin(button)
            pin.drive_low()
            clock.advance(HOLD_SKIP_S if held else 0.2)
            pin.drive_high()
            clock.advance(0.1)
            print(f"DONE {press_label(hour, minute_of_hour, button)}", flush=True)
        minute = target
        save_progress(progress, clock.now())
        print(f"AT {minute_index(minute)}", flush=True)
    print("FINISHED", flush=True)
    agent.close()


if __name__ == "__main__":
    main(Path(sys.argv[1]))
