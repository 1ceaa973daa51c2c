"""The output format the model must follow: a GBNF grammar and the same shape as JSON Schema.

The model decides only what rules and the classifier could not: the intent, and whether the
words deny it ("I did NOT take it"). The slots (symptom, body part, severity, medication, time)
come from the rules for whatever intent is decided (`shared.understanding.rules.understanding_as`),
so the model writes a handful of tokens: each one reads the whole 262k-token output layer, and a
pass that wrote every slot took 5-28 tokens. Runners that cannot take GBNF (an
OpenAI-compatible server) use `OUTPUT_JSON_SCHEMA` instead.
"""

from __future__ import annotations

from typing import Any

from shared.enums import Intent


def _choice(values: tuple[str, ...]) -> str:
    return " | ".join(f'"\\"{value}\\""' for value in values)


OUTPUT_GRAMMAR = f"""root ::= "{{\\"intent\\":" intent negated? "}}"
negated ::= ",\\"negated\\":true"
intent ::= {_choice(tuple(Intent))}
"""

OUTPUT_JSON_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "intent": {"type": "string", "enum": [intent.value for intent in Intent]},
        "negated": {"type": "boolean"},
    },
    "required": ["intent"],
    "additionalProperties": False,
}
