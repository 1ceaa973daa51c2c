"""Text clean-up before matching: lower case, plain words, contractions and fillers resolved.

Speech recognisers and elderly speech both produce forms the rules should not have to list one
by one: "i've", "gonna", "um, well", "heddache", "my bills" (for "my pills"). They are mapped to
one spelling here so every rule matches a single form.
"""

from __future__ import annotations

import re

_CONTRACTIONS: tuple[tuple[str, str], ...] = (
    (r"\bcan't\b|\bcannot\b|\bcant\b", "can not"),
    (r"\bwon't\b|\bwont\b", "will not"),
    (r"\bshan't\b|\bshant\b", "shall not"),
    (r"\bdidn't\b|\bdidnt\b", "did not"),
    (r"\bdoesn't\b|\bdoesnt\b", "does not"),
    (r"\bdon't\b|\bdont\b", "do not"),
    (r"\bhaven't\b|\bhavent\b", "have not"),
    (r"\bhasn't\b|\bhasnt\b", "has not"),
    (r"\bhadn't\b", "had not"),
    (r"\bisn't\b|\bisnt\b", "is not"),
    (r"\baren't\b", "are not"),
    (r"\bwasn't\b|\bwasnt\b", "was not"),
    (r"\bcouldn't\b|\bcouldnt\b", "could not"),
    (r"\bshouldn't\b", "should not"),
    (r"\bwouldn't\b", "would not"),
    (r"\bain't\b", "am not"),
    (r"\bi'm\b|\bim\b", "i am"),
    (r"\bi've\b|\bive\b", "i have"),
    (r"\bi'll\b", "i will"),
    (r"\bi'd\b", "i would"),
    (r"\bit's\b", "it is"),
    (r"\bthat's\b", "that is"),
    (r"\bwhat's\b|\bwhats\b", "what is"),
    (r"\bwhen's\b", "when is"),
    (r"\bthere's\b", "there is"),
    (r"\bwe're\b", "we are"),
    (r"\byou're\b", "you are"),
    (r"\bgonna\b", "going to"),
    (r"\bwanna\b", "want to"),
    (r"\bgotta\b", "have to"),
    (r"\bdunno\b", "do not know"),
    (r"(?<![a-z])'em\b", "them"),
    (r"\b(took|take|taken|had|have|give|gave|got|want|need) em\b", r"\1 them"),
    # Any other subject: "she'll", "they're", "we've", "he'd".
    (r"\b(\w+)'ll\b", r"\1 will"),
    (r"\b(\w+)'re\b", r"\1 are"),
    (r"\b(\w+)'ve\b", r"\1 have"),
    (r"\b(\w+)'d\b", r"\1 would"),
    (r"'s\b", ""),
)

# Words a recogniser or a shaky voice turns into something near; only unambiguous ones.
_MISHEARD: tuple[tuple[str, str], ...] = (
    (r"\b(bills|pils|peels|pill's)\b", "pills"),
    (r"\b(tablet's|tablits)\b", "tablets"),
    (r"\b(medisin|medicin|madison)\b", "medicine"),
    (r"\b(heddache|headake|head ache|head egg|hedache)\b", "headache"),
    (r"\b(breeze|breed)\b(?= properly| right| at all|$)", "breathe"),
    (r"\bdizzie\b|\bdizy\b", "dizzy"),
    (r"\bfelled\b|\bfeld\b", "fell"),
    (r"\b(tuk|tooked)\b", "took"),
    (r"\bpain killers?\b", "painkiller"),
    (r"\bto night\b", "tonight"),
    (r"\bto day\b", "today"),
    # Dialect spellings: Caribbean "tek" (take); "me pills", "ma tablets" (my).
    (r"\b(tek|teck)\b", "take"),
    # (only after a verb of taking: "gave me tablets" and "help me" keep their "me").
    (
        r"\b(had|took|taken|take|taking|having|swallowed|done|finished|forgot|forgotten|missed|"
        r"used|did) (me|ma|mi) (?=(pills?|tablets?|meds?|medicines?|medication|inhaler|insulin|"
        r"capsules?|puffers?|drops|water pills?|pressure pills?|sugar pills?)\b)",
        r"\1 my ",
    ),
)

_FILLERS = re.compile(
    r"\b(um+|uh+|erm+|er|hmm+|ah+|oh+|you know|i mean|i guess|dear|honey|sweetheart|anyway|"
    r"medmind|please)\b"
)
# Words that only open a sentence ("well, I took them"); inside one they mean something.
_LEADING = re.compile(
    r"^((well|so|okay|ok|now|right|alright|all right|yes|yeah|yep|hey|hello|hi|listen|look|"
    r"oh|and|but|actually|like)\s+)+"
)


def normalize(text: str) -> str:
    """Lower-case `text`, spell out contractions, fix known mishearings, keep words only."""
    cleaned = text.lower().replace("\u2019", "'").replace("\u2018", "'")
    for pattern, replacement in _CONTRACTIONS:
        cleaned = re.sub(pattern, replacement, cleaned)
    cleaned = re.sub(r"[^a-z0-9' ]+", " ", cleaned)
    cleaned = cleaned.replace("'", "")
    cleaned = re.sub(r"\s+", " ", cleaned).strip()
    for pattern, replacement in _MISHEARD:
        cleaned = re.sub(pattern, replacement, cleaned)
    return cleaned


# A false start said again ("i have i have had", "i i fell"): the words once.
_REPEATED = re.compile(r"\b((?:[a-z0-9]+ ){0,2}[a-z0-9]+)(?: \1\b)+")


def strip_fillers(normalized: str) -> str:
    """`normalized` without hesitation words, politeness that carries no meaning, and words
    said twice over."""
    without = re.sub(r"\s+", " ", _FILLERS.sub(" ", normalized)).strip()
    return _REPEATED.sub(r"\1", _LEADING.sub("", without))


def is_question(raw: str, normalized: str) -> bool:
    """Whether the utterance asks something: a question mark, a question word up front, a
    question after a statement ("..., is that on here", "..., how do I get more")."""
    if raw.rstrip().endswith("?") or _TRAILING_QUESTION.search(raw.lower()):
        return True
    core = strip_fillers(normalized)
    if _WHEN_CLAUSE.match(core):
        return False
    return bool(_QUESTION_START.match(core)) or bool(_EMBEDDED_QUESTION.search(core))


# A question that follows a statement, after a comma: "I'm nearly out, how do I get more".
_TRAILING_QUESTION = re.compile(
    r"[,;]\s*(so |and |but )?(is|are|was|were|do|does|did|can|could|should|shall|will|would|"
    r"have|has|what|when|which|how|why|where)\s+(that|it|this|these|those|they|there|i|you|we|"
    r"she|he|do|does|did|is|are|can|should|many|much|often|long|the|my)\b[^,;.!]*$"
)
# "When I've had my tea I'll take my pills" opens with a time clause, not a question.
_WHEN_CLAUSE = re.compile(
    r"^(when|once|after|as soon as) (i|my \w+|she|he|they|we|the \w+) \w+\b.*"
    r"\b(i|she|he|they|we|you) (will|shall|am going to|is going to|are going to)\b"
)


_QUESTION_START = re.compile(
    r"^(what|when|which|how|why|where|who|do|does|is|are|was|were|should|"
    r"(did|have|has|had) (i|you|we|he|she|they|it|there|anyone|someone|somebody)\b|"
    r"(did|has|had|does) (?!not\b|never\b|just\b|already\b)\w+ (have|take|had|taken|get|got)\b|"
    r"anything|any|was i|am i meant|"
    r"shall|can|could|may|might|am i|will|would)\b"
)
_EMBEDDED_QUESTION = re.compile(
    r"\b(tell me|remind me|i wonder|i am wondering|wondering|not sure|do you know|can you check|"
    r"can not remember|do not remember|can not recall|do not know|have no idea|"
    r"can never remember|never remember|can not quite remember|"
    r"could you check|check if|check whether|i forget|i forgot)( again| once more)? "
    r"(what|when|which|if|whether|how)\b|"
    r"\b(check|see|find out|know|tell me|ask) (if|whether)\b|"
    r"\b(tell|remind) me (my|the|about|which)\b|\b(how many|how much|how often|how long)\b|"
    r"\b(need|want|like|wanted) to know\b|\b(wondering|wonder|asking) (about|what|when|if)\b|"
    r"\bexplain (my|the)\b|\b(give|read|show) me (a list of |the list of )?(my|the|all)\b|"
    r"\b(did|have|had) i (already |even |actually |really )?(take|taken|took|have|had|do|done)\b"
)
