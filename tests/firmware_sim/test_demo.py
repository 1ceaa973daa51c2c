"""`medmind demo --duration N` from nothing: embedded PostgreSQL and broker, a simulated day,
the API answering while it runs, and the day's summary printed when it ends by itself."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import httpx

DEMO_S = 55
SPEED = 2400


def test_demo_runs_a_day_and_ends_by_itself(tmp_path: Path) -> None:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("MEDMIND_DATABASE_URL", "MEDMIND_MQTT_URL")
    }
    env["HOME"] = str(tmp_path)
    medmind = str(Path(sys.executable).with_name("medmind"))
    command = [medmind, "demo", "--duration", str(DEMO_S)]
    command += ["--speed", str(SPEED)]
    started = time.monotonic()
    demo = subprocess.Popen(
        command, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    assert demo.stdout is not None
    lines: list[str] = []
    api_answered = web_app_answered = False
    for line in demo.stdout:
        lines.append(line)
        found = re.search(r"API docs:\s+(http://\S+)/docs", line)
        if found:
            health = httpx.get(f"{found.group(1)}/healthz", timeout=10)
            api_answered = health.status_code == 200
        web_app = re.search(r"web app:\s+(http://\S+/app/)", line)
        if web_app:
            sign_in = httpx.get(web_app.group(1), follow_redirects=True, timeout=10)
            web_app_answered = sign_in.status_code == 200 and "Sign in" in sign_in.text
    code = demo.wait(timeout=60)
    output = "".join(lines)
    assert code == 0, output
    assert time.monotonic() - started < 90, "the demo took too long to end by itself"
    assert api_answered, "the REST API did not answer while the demo ran:\n" + output
    assert web_app_answered, "the web app's sign-in page did not answer:\n" + output
    assert "device says: It is time for" in output
    assert "patient presses TAKEN" in output
    assert re.search(r"adherence \d+ %", output), output
    assert "missed_dose" in output, "the forgotten midday dose should be alerted:\n" + output
    assert "symptoms logged: headache" in output, "the spoken headache should reach the cloud"
    assert "MedMind demo stopped." in output
