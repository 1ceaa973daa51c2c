"""The few-shot completion prompt for a base (non-chat) model.

The prefix is fixed, so a runner evaluates it once and keeps it in its cache; each utterance adds
only a few tokens. The examples show every intent and negation, in exactly the format the
grammar (`shared.understanding.grammar`) forces.
"""

from __future__ import annotations

import json
import unicodedata

from shared.understanding.model import Understanding

INSTRUCTIONS = (
    "A bedside medication assistant hears an older patient speak. For each sentence it writes "
    "one line of JSON: the intent (report_dose_taken: the patient says they took their "
    "medicine, or that they did not; skip_dose: they choose not to take it; "
    "medication_question: they ask about their medicines or schedule; log_symptom: they say "
    "how they feel or where it hurts; emergency: a fall, chest pain, trouble breathing, a "
    "stroke sign or a call for help; other: anything else), and negated (true when they say "
    "they did NOT do or have it)."
)

_EXAMPLES: tuple[tuple[str, dict[str, object]], ...] = (
    ("I took my morning pills", {"intent": "report_dose_taken"}),
    ("I have a bad headache", {"intent": "log_symptom"}),
    ("what do I take tonight", {"intent": "medication_question"}),
    ("I did not take my metformin", {"intent": "report_dose_taken", "negated": True}),
    ("I fell and I can not get up", {"intent": "emergency"}),
    ("I do not want my evening tablets today", {"intent": "skip_dose"}),
    ("my knee is a little sore", {"intent": "log_symptom"}),
    ("what is the weather like", {"intent": "other"}),
    ("did I have my aspirin this morning", {"intent": "medication_question"}),
    ("my chest feels tight and heavy", {"intent": "emergency"}),
    ("finished the tablets for tonight", {"intent": "report_dose_taken"}),
    ("I feel really dizzy", {"intent": "log_symptom"}),
    ("thank you very much", {"intent": "other"}),
    ("can I take ibuprofen with my warfarin", {"intent": "medication_question"}),
    ("I am not having my pills tonight", {"intent": "skip_dose"}),
    ("the headache is gone now", {"intent": "log_symptom", "negated": True}),
)


OUTPUT_KEYS = ("intent", "negated")


def render_output(fields: dict[str, object]) -> str:
    """One output line exactly as the grammar writes it: compact, `negated` only if true."""
    present = {key: fields[key] for key in OUTPUT_KEYS if fields.get(key)}
    return json.dumps(present, separators=(",", ":"))


PROMPT_PREFIX = (
    INSTRUCTIONS
    + "\n\n"
    + "".join(f"Said: {said}\nJSON:{render_output(out)}\n\n" for said, out in _EXAMPLES)
)


# Typographic marks as a keyboard types them.
_PLAIN_MARKS = str.maketrans(
    {"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-"}
)


def plain(text: str) -> str:
    """`text` in ASCII: curly quotes and dashes plain, accents dropped, other characters left out.
    The device's model only knows ASCII pieces (edge_agent.voice.gguf_vocabulary)."""
    folded = unicodedata.normalize("NFKD", text.translate(_PLAIN_MARKS))
    return folded.encode("ascii", "ignore").decode("ascii")


def build_prompt(utterance: str) -> str:
    """The full prompt for one utterance: the fixed prefix, then the utterance in ASCII."""
    said = " ".join(plain(utterance).split())[:300]
    return f"{PROMPT_PREFIX}Said: {said}\nJSON:"


def parse_output(text: str) -> Understanding:
    """The model's JSON line as an `Understanding` of intent and negation only (raises
    ValueError when it is not one); the slots are the rules' business."""
    data = json.loads(text)
    if not isinstance(data, dict):
        raise ValueError("model output is not a JSON object")
    fields = {
        "intent": data.get("intent"),
        "negated": bool(data.get("negated", False)),
        "source": "llm",
    }
    return Understanding.model_validate(fields)
