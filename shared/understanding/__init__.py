"""Understanding what the patient said: the same code on the device and in the cloud.

Public API (stable):

- `understand(text, runner=None, *, known_medications=()) -> UnderstandingOutcome` — emergency
  rules first (never dependent on a model), then rules and, when a `runner` is given, the small
  model, combined as the evaluation showed best. `outcome.understanding` is the result,
  `outcome.llm_call` the `shared.messages.LlmCall` record when the model ran.
- `Understanding` (intent, symptom, body_part, severity, medication, time_reference, question,
  negated, source) with `confirms_dose`, `is_emergency` and `as_record()`.
- `ModelRunner` (`complete(CompletionRequest) -> Completion`): what each side implements.
- `detect_emergency(normalize(text))`, `parse_severity(normalize(text))` for dialog follow-ups.
"""

from shared.understanding.combine import Strategy, UnderstandingOutcome, understand
from shared.understanding.emergency import EmergencyKind, EmergencyMatch, detect_emergency
from shared.understanding.grammar import OUTPUT_GRAMMAR, OUTPUT_JSON_SCHEMA
from shared.understanding.model import (
    QuestionKind,
    TimeReference,
    Understanding,
    UnderstandingSource,
)
from shared.understanding.prompt import PROMPT_PREFIX, build_prompt
from shared.understanding.runner import Completion, CompletionRequest, ModelRunner
from shared.understanding.text import normalize
from shared.understanding.vocabulary import parse_severity

__all__ = [
    "OUTPUT_GRAMMAR",
    "OUTPUT_JSON_SCHEMA",
    "PROMPT_PREFIX",
    "Completion",
    "CompletionRequest",
    "EmergencyKind",
    "EmergencyMatch",
    "ModelRunner",
    "QuestionKind",
    "Strategy",
    "TimeReference",
    "Understanding",
    "UnderstandingOutcome",
    "UnderstandingSource",
    "build_prompt",
    "detect_emergency",
    "normalize",
    "parse_severity",
    "understand",
]
