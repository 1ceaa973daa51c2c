"""A second opinion for phrasings the rules do not know: a naive Bayes classifier over words,
word pairs and letter groups, learned from `shared.understanding.corpus` when first used.

Pure Python and small (trained in well under a second, a few MB), so the device can load it
next to the recogniser without a new dependency. It gives an intent and a probability; what it
may decide is `shared.understanding.combine`'s business.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from itertools import pairwise

from shared.enums import Intent
from shared.understanding.corpus import phrasings
from shared.understanding.text import normalize, strip_fillers

# Additive smoothing of feature counts (tried 0.1-1.0 on the tuning phrasings).
SMOOTHING = 0.3
# Naive Bayes adds up hundreds of dependent features and is sure of everything; the
# probability is taken from the mean log-likelihood per feature instead, times this.
SHARPNESS = 8.0
_CHAR_GRAM = 4


@dataclass(frozen=True)
class Guess:
    """The classifier's intent and its probability."""

    intent: Intent
    probability: float


def features(text: str) -> list[str]:
    """Words, neighbouring word pairs and 4-letter groups of the cleaned-up utterance."""
    words = strip_fillers(normalize(text)).split()
    found = [f"w:{word}" for word in words]
    found += [f"b:{first} {second}" for first, second in pairwise(words)]
    for word in words:
        padded = f" {word} "
        found += [f"c:{padded[i : i + _CHAR_GRAM]}" for i in range(len(padded) - _CHAR_GRAM + 1)]
    return found


class NaiveBayes:
    """Multinomial naive Bayes with uniform priors (the corpus's class sizes mean nothing)."""

    def __init__(self, examples: Iterable[tuple[str, Intent]]) -> None:
        counts: dict[Intent, Counter[str]] = {intent: Counter() for intent in Intent}
        for text, intent in examples:
            counts[intent].update(features(text))
        vocabulary = set().union(*counts.values())
        self._unknown: dict[Intent, float] = {}
        self._log_likelihood: dict[Intent, dict[str, float]] = {}
        for intent, counter in counts.items():
            total = sum(counter.values()) + SMOOTHING * len(vocabulary)
            self._unknown[intent] = math.log(SMOOTHING / total)
            self._log_likelihood[intent] = {
                feature: math.log((count + SMOOTHING) / total) for feature, count in counter.items()
            }
        self._vocabulary = vocabulary

    def guess(self, text: str) -> Guess | None:
        """The most likely intent, or None when no feature of `text` was ever seen."""
        known = [feature for feature in features(text) if feature in self._vocabulary]
        if not known:
            return None
        scores = {
            intent: SHARPNESS
            * sum(table.get(feature, self._unknown[intent]) for feature in known)
            / len(known)
            for intent, table in self._log_likelihood.items()
        }
        best = max(scores, key=scores.__getitem__)
        total = sum(math.exp(score - scores[best]) for score in scores.values())
        return Guess(intent=best, probability=1.0 / total)


@cache
def trained() -> NaiveBayes:
    """The classifier learned from the corpus, once per process (loaded when first asked)."""
    return NaiveBayes(phrasings())
