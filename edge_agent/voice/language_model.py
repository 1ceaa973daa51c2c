"""A small trigram language model in ARPA format, built from the device's own phrases.

Pocketsphinx's open mode decodes with it: word order is free, the vocabulary is the domain's,
so paraphrases the command grammar does not list are still recognised, at a fraction of the
memory and time of the general English model. Absolute discounting with back-off (D = 0.5).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable

DISCOUNT = 0.5
BOS, EOS = "<s>", "</s>"


def build_arpa(sentences: Iterable[str], order: int = 3) -> str:
    """ARPA text of an `order`-gram back-off model over `sentences` (space-separated words)."""
    counts: list[Counter[tuple[str, ...]]] = [Counter() for _ in range(order + 1)]
    for sentence in sentences:
        words = [BOS, *sentence.split(), EOS]
        for n in range(1, order + 1):
            for start in range(len(words) - n + 1):
                counts[n][tuple(words[start : start + n])] += 1

    probs: list[dict[tuple[str, ...], float]] = [{} for _ in range(order + 1)]
    vocabulary = sorted({gram[0] for gram in counts[1]})
    total = sum(count for gram, count in counts[1].items() if gram[0] != BOS)
    for word in vocabulary:
        # Add-one on unigrams so every word of the vocabulary stays reachable.
        probs[1][(word,)] = (counts[1][(word,)] + 1) / (total + len(vocabulary))
    for n in range(2, order + 1):
        context_totals: Counter[tuple[str, ...]] = Counter()
        for gram, count in counts[n].items():
            context_totals[gram[:-1]] += count
        for gram, count in counts[n].items():
            probs[n][gram] = (count - DISCOUNT) / context_totals[gram[:-1]]

    backoffs: list[dict[tuple[str, ...], float]] = [{} for _ in range(order + 1)]
    for n in range(1, order):
        followers: dict[tuple[str, ...], list[tuple[str, ...]]] = defaultdict(list)
        for gram in probs[n + 1]:
            followers[gram[:-1]].append(gram)
        for context, grams in followers.items():
            seen = sum(probs[n + 1][gram] for gram in grams)
            lower = sum(_lower_prob(probs, backoffs, gram[1:]) for gram in grams)
            backoffs[n][context] = max(1.0 - seen, 1e-6) / max(1.0 - lower, 1e-6)

    lines = ["\\data\\"]
    lines += [f"ngram {n}={len(probs[n])}" for n in range(1, order + 1)]
    for n in range(1, order + 1):
        lines += ["", f"\\{n}-grams:"]
        for gram in sorted(probs[n]):
            logp = -99.0 if gram == (BOS,) else math.log10(probs[n][gram])
            line = f"{logp:.4f}\t{' '.join(gram)}"
            if n < order and gram in backoffs[n]:
                line += f"\t{math.log10(backoffs[n][gram]):.4f}"
            lines.append(line)
    lines += ["", "\\end\\", ""]
    return "\n".join(lines)


def _lower_prob(
    probs: list[dict[tuple[str, ...], float]],
    backoffs: list[dict[tuple[str, ...], float]],
    gram: tuple[str, ...],
) -> float:
    n = len(gram)
    if gram in probs[n]:
        return probs[n][gram]
    if n == 1:
        return 0.0
    return backoffs[n - 1].get(gram[:-1], 1.0) * _lower_prob(probs, backoffs, gram[1:])
