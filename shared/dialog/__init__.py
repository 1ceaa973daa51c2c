"""One reply policy for the device's dialog and the cloud's `/voice`.

- `decide(understanding, text, alternatives)` says what to do with an utterance (`Step`): a
  dose report is never recorded from the words alone but confirmed first; a clear emergency
  alerts at once, a doubtful one asks "Do you need help?".
- `parse_answer(text)` is the tiny yes/no grammar the confirmations and the help check accept.
- `replies` holds the words both sides say, built from what was actually done.
"""

from shared.dialog.answers import Answer, parse_answer
from shared.dialog.policy import (
    FOLLOW_UP_WINDOW,
    HELP_CHECK_TIMEOUT,
    Step,
    decide,
    emergency_is_doubtful,
)

__all__ = [
    "FOLLOW_UP_WINDOW",
    "HELP_CHECK_TIMEOUT",
    "Answer",
    "Step",
    "decide",
    "emergency_is_doubtful",
    "parse_answer",
]
