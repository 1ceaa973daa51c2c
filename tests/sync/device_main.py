"""A device process for the crash test: a real agent on a virtual clock, synced to a broker.

`--crash-on-press` presses "taken" at the 08:00 dose and SIGKILLs itself from the first outbox
listener, right after the press is committed and before the sync is woken to publish it.
Without it the device just runs (and syncs) until it is terminated.
"""

from __future__ import annotations

import argparse
import os
import signal
import threading
import time
import uuid
from datetime import timedelta
from pathlib import Path

from edge_agent.sync.runner import start_sync
from edge_agent.sync.settings import SyncSettings
from shared.enums import Button
from tests.edge_agent.factories import build_device, local, make_item, make_plan

# Fixed ids, so the test can give the cloud the same plan (`crash_plan`).
CRASH_PLAN = make_plan(
    make_item(times=["08:00"], item_id=uuid.UUID("7d0e4c2a-5b1f-4e8d-a3c6-9f2b8e1d4a70")),
    plan_id=uuid.UUID("3c9a6f1e-8d2b-4a7c-b5e0-1f4d7a2c9e68"),
)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--device-id", required=True)
    parser.add_argument("--broker-url", required=True)
    parser.add_argument("--crash-on-press", action="store_true")
    args = parser.parse_args()

    device = build_device(
        args.data_dir, local(2026, 6, 1, 7, 55), plan=CRASH_PLAN, device_id=args.device_id
    )
    settings = SyncSettings(broker_url=args.broker_url, backoff_base_s=0.2, backoff_cap_s=1.0)
    if args.crash_on_press:
        store = device.agent.store

        def crash_after_a_dose_event() -> None:
            if any(row.kind == "dose_event" for row in store.outbox_batch(1000)):
                os.kill(os.getpid(), signal.SIGKILL)

        # Registered before the sync's own listener, so it runs first.
        device.agent.add_outbox_listener(crash_after_a_dose_event)
    start_sync(device.agent, device.agent.store, settings)
    if args.crash_on_press:
        # Only the press may be pending: wait until the plan_applied message is acked.
        while device.agent.store.outbox_depth() > 0:
            time.sleep(0.05)
        device.advance_to(local(2026, 6, 1, 8, 0) + timedelta(seconds=30))
        device.press(Button.TAKEN)
    threading.Event().wait()  # run until SIGTERM / SIGKILL


if __name__ == "__main__":
    main()
