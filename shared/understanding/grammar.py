"""The output format the model must follow: a GBNF grammar and the same shape as JSON Schema.

The grammar is written by hand so every number-like choice is an enum (llama.cpp's schema to
grammar conversion ignores minimum/maximum) and free text is bounded in length. Runners that
cannot take GBNF (an OpenAI-compatible server) use `OUTPUT_JSON_SCHEMA` instead.
"""

from __future__ import annotations

from typing import Any

from shared.enums import Intent, Severity
from shared.understanding.model import TimeReference
from shared.understanding.vocabulary import BODY_PARTS

MAX_FREE_TEXT = 30
BODY_PART_NAMES: tuple[str, ...] = tuple(dict.fromkeys(name for _, name in BODY_PARTS))


def _choice(values: tuple[str, ...]) -> str:
    return " | ".join(f'"\\"{value}\\""' for value in values)


# Compact JSON, slots only when present: every token the model need not write saves latency.
OUTPUT_GRAMMAR = f"""root ::= "{{\\"intent\\":" intent symptom? body? severity? medication? time? negated? "}}"
symptom ::= ",\\"symptom\\":" text
body ::= ",\\"body_part\\":" ({_choice(BODY_PART_NAMES)})
severity ::= ",\\"severity\\":" ({_choice(tuple(Severity))})
medication ::= ",\\"medication\\":" text
time ::= ",\\"time\\":" ({_choice(tuple(TimeReference))})
negated ::= ",\\"negated\\":true"
intent ::= {_choice(tuple(Intent))}
text ::= "\\"" [a-z] [a-z ]{{0,{MAX_FREE_TEXT - 1}}} "\\""
"""  # noqa: E501


def _enum(values: tuple[str, ...]) -> dict[str, Any]:
    return {"type": "string", "enum": list(values)}


_FREE_TEXT: dict[str, Any] = {
    "type": "string",
    "pattern": "^[a-z][a-z ]*$",
    "maxLength": MAX_FREE_TEXT,
}

OUTPUT_JSON_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "intent": {"type": "string", "enum": [intent.value for intent in Intent]},
        "symptom": _FREE_TEXT,
        "body_part": _enum(BODY_PART_NAMES),
        "severity": _enum(tuple(severity.value for severity in Severity)),
        "medication": _FREE_TEXT,
        "time": _enum(tuple(time.value for time in TimeReference)),
        "negated": {"type": "boolean"},
    },
    "required": ["intent"],
    "additionalProperties": False,
}
