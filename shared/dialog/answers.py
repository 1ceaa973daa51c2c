"""The tiny yes/no grammar: only a short, clear answer counts; anything else is no answer."""

from __future__ import annotations

import re
from enum import StrEnum

from shared.understanding.text import normalize


class Answer(StrEnum):
    YES = "yes"
    NO = "no"


_POLITE = r"( (please|thanks|thank you|dear|love))?"
_YES = re.compile(
    r"^(yes|yeah|yep|yup|aye|correct|right|that is right|that is correct|yes that is right|"
    r"yes it is|yes i did|yes i have|i did|i have|yes right|yes correct|that is it|"
    r"yes i do|i do|yes help|yes help me|yes i need help|i need help|please help)"
    rf"{_POLITE}$"
)
_NO = re.compile(
    r"^(no|nope|nah|no no|not right|that is wrong|wrong|no it is not|no that is wrong|"
    r"no i did not|i did not|not yet|no i have not|i have not|cancel|"
    r"(no )?i am (fine|okay|ok|all right|alright)( now)?|no i do not|no i am (fine|okay|ok|"
    r"all right|alright)( now)?|no i do not need help|i do not need help|no help|"
    r"i am not hurt|no i am not hurt|false alarm|no false alarm)"
    rf"{_POLITE}$"
)
_HESITATION = re.compile(r"\b(um+|uh+|erm+|er|oh|well|hmm+)\b")


def parse_answer(text: str) -> Answer | None:
    """YES or NO for a short clear answer, None for anything else (it confirms nothing)."""
    words = re.sub(r"\s+", " ", _HESITATION.sub(" ", normalize(text))).strip()
    if _YES.match(words):
        return Answer.YES
    if _NO.match(words):
        return Answer.NO
    return None
