"""`medmind edge run` starts the agent on the real clock and stops cleanly on SIGTERM."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

from tests.support.paths import REPO_ROOT

REPO = REPO_ROOT


def test_run_starts_and_stops_gracefully_on_sigterm(tmp_path: Path) -> None:
    config = tmp_path / "edge.toml"
    config.write_text(
        f'device_id = "bed-run"\ndata_dir = "{tmp_path / "data"}"\n[gpio]\npin_factory = "mock"\n'
    )
    child = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from shared.cli import main; main()",
            "edge",
            "run",
            "--config",
            str(config),
        ],
        cwd=REPO,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert child.stderr is not None
    seen = []
    for line in child.stderr:
        seen.append(line)
        if "agent started" in line:
            break
    assert any("agent started: device bed-run" in line for line in seen), "".join(seen)
    child.send_signal(signal.SIGTERM)
    # Read what it says while stopping: an unread pipe could block its last writes.
    _, said_after = child.communicate(timeout=60)
    assert child.returncode == 0, "".join(seen) + said_after
    assert (tmp_path / "data" / "edge.sqlite3").exists()
