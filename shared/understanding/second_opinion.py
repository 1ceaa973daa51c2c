"""The paraphrase classifier's say next to the rules (issue 18, item 5).

- An emergency it hears is always taken, even over a confident rule: `shared.dialog` then asks
  "Do you need help?" (the rules found no emergency phrase, so the emergency is doubtful), and
  alerts on yes or on silence. A missed emergency costs far more than a question. Only where
  the danger words are a figure of speech ("dying for a cup of tea") is it not asked.
- Otherwise the rules decide where they are confident; the classifier decides the rest when it
  is sure enough.
- It never makes a report that a dose was taken: a dose report it hears is kept only when the
  rules see a negation, an intention or doubt in it (a negated report, which records nothing).
- A skip records the due doses as skipped, so a skip it hears counts only when the words
  refuse or put off something ("hold off on my evening dose"; "the tablet is on the table"
  is no skip).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from shared.enums import Intent
from shared.understanding.classifier import NaiveBayes, trained
from shared.understanding.emergency import is_figure_of_speech
from shared.understanding.model import UnderstandingSource
from shared.understanding.rules import RuleVerdict, mentions_medication, understanding_as
from shared.understanding.text import normalize

# A (negated) dose report it hears counts only when the words name a medicine or a dose.
_DOSE_INTENTS = (Intent.SKIP_DOSE, Intent.REPORT_DOSE_TAKEN)
_REFUSAL = re.compile(
    r"\b(not|no|off|drop|miss|without|stop\w*|leave|leaving|rest|cancel|pass|forget|hold|"
    r"break|skip\w*|none|never|refuse|rather|instead|give up)\b"
)
# Fewer words than this are too little to go on for anything but an emergency (a misheard
# "mild" came out as "my pill", an answer to the severity question, not a question).
MIN_WORDS = 3
# Below this probability the classifier's intent is not used where the rules are unsure.
INTENT_THRESHOLD = 0.5
# Below this probability its emergency is not taken (low on purpose: a false alarm is a
# question the patient answers "no, I'm fine")...
EMERGENCY_THRESHOLD = 0.5
# ...and below this one it does not override a confident rule that found something else (on
# the tuning phrasings, symptoms such as "my feet are tingling" were its false alarms).
EMERGENCY_OVER_RULE_THRESHOLD = 0.95


def consult(
    text: str,
    verdict: RuleVerdict,
    known_medications: Sequence[str] = (),
    classifier: NaiveBayes | None = None,
) -> RuleVerdict:
    """The rules' `verdict` on `text`, changed where the `classifier` (by default the one
    learned from the corpus) may change it."""
    if verdict.understanding.is_emergency:
        return verdict
    guess = (classifier or trained()).guess(text)
    if guess is None:
        return verdict
    if guess.intent is Intent.EMERGENCY:
        if is_figure_of_speech(normalize(text)):
            return verdict
        ruled = verdict.confident and verdict.understanding.intent is not Intent.OTHER
        if ruled and verdict.understanding.intent is Intent.MEDICATION_QUESTION:
            return verdict
        if guess.probability < (EMERGENCY_OVER_RULE_THRESHOLD if ruled else EMERGENCY_THRESHOLD):
            return verdict
    elif (
        verdict.confident
        or guess.probability < INTENT_THRESHOLD
        or len(normalize(text).split()) < MIN_WORDS
    ):
        return verdict
    if guess.intent in _DOSE_INTENTS and not mentions_medication(text, known_medications):
        return verdict
    understanding = understanding_as(guess.intent, text, known_medications)
    if understanding.confirms_dose:
        return verdict
    if understanding.intent is Intent.SKIP_DOSE and not _REFUSAL.search(normalize(text)):
        return verdict
    return RuleVerdict(
        understanding=understanding.model_copy(update={"source": UnderstandingSource.CLASSIFIER}),
        confident=True,
    )
