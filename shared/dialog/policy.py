"""What to do with one understood utterance, the same on the device and in the cloud."""

from __future__ import annotations

import re
from datetime import timedelta
from enum import StrEnum

from shared.enums import Intent
from shared.understanding import Understanding, detect_emergency, normalize

# A doubtful emergency with no answer within this long alerts (issue 18: about 10 s).
HELP_CHECK_TIMEOUT = timedelta(seconds=10)
# An answer to a question (a confirmation, a severity) counts only this soon after it.
FOLLOW_UP_WINDOW = timedelta(minutes=1)


class Step(StrEnum):
    """The dialog's next move."""

    ALERT = "alert"
    ASK_HELP = "ask_help"
    CONFIRM_DOSE = "confirm_dose"
    NOT_TAKEN = "not_taken"
    SKIP = "skip"
    QUESTION = "question"
    SYMPTOM = "symptom"
    NOT_UNDERSTOOD = "not_understood"


# Danger said about another time: a fall "last week" is worth a question, not an ambulance.
_ANOTHER_TIME = re.compile(
    r"\b(yesterday|last (night|week|month|year|time)|ago|the other day|earlier this (week|month)|"
    r"years back|when i was)\b|\b(is|are|feels?|much) (better|fine|gone|okay|ok)\b"
)


def emergency_is_doubtful(text: str) -> bool:
    """Whether an emergency understood from `text` (the transcript) rests on weak evidence:
    not in the transcript at all (another hypothesis or the model heard it), found only by the
    single-word safety net, or said about another time."""
    normalized = normalize(text)
    match = detect_emergency(normalized)
    if match is None:
        return True
    return not match.certain or _ANOTHER_TIME.search(normalized) is not None


def decide(understanding: Understanding, text: str) -> Step:
    """The step for `understanding` of the transcript `text`. An emergency heard only in the
    recogniser's other hypotheses leads to the help check, never to an alert on its own."""
    match understanding.intent:
        case Intent.EMERGENCY:
            return Step.ASK_HELP if emergency_is_doubtful(text) else Step.ALERT
        case Intent.REPORT_DOSE_TAKEN:
            return Step.CONFIRM_DOSE if understanding.confirms_dose else Step.NOT_TAKEN
        case Intent.SKIP_DOSE:
            return Step.SKIP
        case Intent.MEDICATION_QUESTION:
            return Step.QUESTION
        case Intent.LOG_SYMPTOM:
            return Step.SYMPTOM
        case _:
            return Step.NOT_UNDERSTOOD
