"""Where the repository is, for tests that run its files or commands (one place, so a test file
can move in the tree without pointing at the wrong folder)."""

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
