"""A small reader for the JSGF subset the device grammar uses, to sample its sentences.

Pocketsphinx decodes the grammar itself; the sentences sampled here train the domain language
model of the open-vocabulary mode, so both modes share one source of phrases. Supported: public
and private rules, `( )` groups, `[ ]` options, `|` alternatives, `<rule>` references, words.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

_RULE = re.compile(r"^\s*(public\s+)?<([\w.-]+)>\s*=\s*(.+?)\s*;\s*$", re.S)
_TOKEN = re.compile(r"<[\w.-]+>|[()\[\]|]|[^\s()\[\]|<>;]+")


@dataclass(frozen=True)
class Word:
    text: str


@dataclass(frozen=True)
class Ref:
    name: str


@dataclass(frozen=True)
class OptionalPart:
    inner: Node


@dataclass(frozen=True)
class Alternatives:
    options: tuple[Node, ...]


@dataclass(frozen=True)
class SequencePart:
    items: tuple[Node, ...]


Node = Word | Ref | OptionalPart | Alternatives | SequencePart


@dataclass(frozen=True)
class Grammar:
    """Parsed rules and which of them are public."""

    rules: dict[str, Node]
    public: tuple[str, ...]

    def sample(self, count: int, seed: int = 7) -> list[str]:
        """`count` sentences drawn from the public rules (alternatives chosen uniformly)."""
        rng = random.Random(seed)
        sentences = []
        for index in range(count):
            rule = self.public[index % len(self.public)]
            words = _expand(self.rules[rule], self.rules, rng, depth=0)
            sentences.append(" ".join(words))
        return sentences

    def vocabulary(self) -> set[str]:
        words: set[str] = set()
        for node in self.rules.values():
            _collect(node, words)
        return words


def parse_jsgf(text: str) -> Grammar:
    """Parse JSGF source; raises ValueError naming a rule it cannot read."""
    body = re.sub(r"//[^\n]*|/\*.*?\*/", "", text, flags=re.S)
    statements = [s.strip() + ";" for s in body.split(";") if s.strip()]
    rules: dict[str, Node] = {}
    public: list[str] = []
    for statement in statements:
        if statement.startswith(("#JSGF", "grammar ", "import ")):
            continue
        match = _RULE.match(statement)
        if match is None:
            raise ValueError(f"cannot read JSGF statement: {statement[:80]!r}")
        is_public, name, expansion = match.groups()
        tokens = _TOKEN.findall(expansion)
        node, end = _parse_alternatives(tokens, 0)
        if end != len(tokens):
            raise ValueError(f"rule <{name}>: unexpected {tokens[end]!r}")
        rules[name] = node
        if is_public:
            public.append(name)
    if not public:
        raise ValueError("grammar has no public rule")
    return Grammar(rules=rules, public=tuple(public))


def _parse_alternatives(tokens: list[str], pos: int) -> tuple[Node, int]:
    sequence, pos = _parse_sequence(tokens, pos)
    options = [sequence]
    while pos < len(tokens) and tokens[pos] == "|":
        sequence, pos = _parse_sequence(tokens, pos + 1)
        options.append(sequence)
    return Alternatives(tuple(options)), pos


def _parse_sequence(tokens: list[str], pos: int) -> tuple[Node, int]:
    items: list[Node] = []
    while pos < len(tokens) and tokens[pos] not in ("|", ")", "]"):
        token = tokens[pos]
        if token in ("(", "["):
            inner, pos = _parse_alternatives(tokens, pos + 1)
            closing = ")" if token == "(" else "]"
            if pos >= len(tokens) or tokens[pos] != closing:
                raise ValueError(f"missing {closing!r}")
            items.append(inner if token == "(" else OptionalPart(inner))
        elif token.startswith("<"):
            items.append(Ref(token[1:-1]))
        else:
            items.append(Word(token))
        pos += 1
    return SequencePart(tuple(items)), pos


def _expand(node: Node, rules: dict[str, Node], rng: random.Random, depth: int) -> list[str]:
    if depth > 30:
        raise ValueError("JSGF rules recurse too deeply")
    match node:
        case Word(text):
            return [text]
        case Ref(name):
            return _expand(rules[name], rules, rng, depth + 1)
        case OptionalPart(inner):
            return _expand(inner, rules, rng, depth + 1) if rng.random() < 0.5 else []
        case Alternatives(options):
            return _expand(rng.choice(options), rules, rng, depth + 1)
        case SequencePart(items):
            return [word for item in items for word in _expand(item, rules, rng, depth + 1)]
    raise TypeError(node)


def _collect(node: Node, words: set[str]) -> None:
    match node:
        case Word(text):
            words.add(text)
        case OptionalPart(inner):
            _collect(inner, words)
        case Alternatives(items) | SequencePart(items):
            for item in items:
                _collect(item, words)
