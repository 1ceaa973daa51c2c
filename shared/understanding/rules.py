"""Rules for every intent: fast, offline, and negation-aware.

`understand_by_rules` returns the result and whether the rules are confident. They are confident
when a pattern for an intent matched, or when the utterance holds no medication, symptom or time
words at all (small talk); otherwise the model, when there is one, gets the final say.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from shared.enums import Intent
from shared.understanding.emergency import EmergencyKind, detect_emergency, is_denied
from shared.understanding.model import QuestionKind, TimeReference, Understanding
from shared.understanding.text import is_question, normalize, strip_fillers
from shared.understanding.vocabulary import (
    BODY_PARTS,
    SYMPTOMS,
    as_medicine,
    find_medication,
    find_time,
    first_match,
    parse_severity,
)


@dataclass(frozen=True)
class RuleVerdict:
    """What the rules made of an utterance and whether a pattern for the intent matched."""

    understanding: Understanding
    confident: bool


_MED_WORDS = (
    r"\b(pills?|meds?|medicines?|medications?|medicine|tablets?(?! (computer|pc|screen|charger))|"
    r"capsules?|doses?|dosage|"
    r"prescriptions?|drugs?|insulin|injections?|shots?|inhaler|puffers?|drops|vitamins?|"
    r"steroids?|patch(es)?|creams?|ointment|supplements?|"
    r"statins?|syrup|sprays?|(the )?ones? for (my|the) \w+|"
    r"painkillers?|antibiotics?|water pills?|blood pressure|refills?|"
    r"(white|yellow|blue|pink|red|little|small|big|round|morning|evening|night) ones?|"
    r"(the|my|his|her|their|our) (morning|evening|night|nighttime|lunchtime|bedtime|teatime) "
    r"(lot|batch|ones?|dose))\b"
)
_TAKE_PAST = (
    r"\b(took|taken|had|swallowed|done|finished|popped|got through|used|did|taking|take|have|"
    r"gave me|given me|put in|put on|stuck on|applied|rubbed in|puffs?|consumed|sprayed|inhaled|"
    r"injected|knocked back)\b"
)
_TAKEN_STATEMENT = re.compile(
    rf"{_TAKE_PAST}\b.{{0,40}}({_MED_WORDS}|\b(it|them|those|these|the lot|all of them|"
    r"my morning ones|my evening ones|my night ones|my dose)\b)|"
    rf"{_MED_WORDS}.{{0,20}}\b(taken|done|down|gone)\b|{_MED_WORDS} (are|is) (all )?in\b|"
    r"^(yes |yeah |yep )?(i )?(did|have|done|took them|took it|taken)( it| them| that)?"
    r"( already)?$|"
    r"\ball done\b|\bjust now took\b|\bthe (morning|evening|night) ones are done\b|"
    r"\b(put|stuck|applied|changed)( on)? (my|the|a|a new|the new) (patch|patches|cream|ointment|"
    r"drops|eye drops)\b|"
    rf"\btaken care of\b|\bremembered (to take )?(my|the|them|it|{_MED_WORDS})|"
    r"\b(took|taken|had) (what|everything|all) (i|that) (was|am|is) (supposed|meant|due|told)\b|"
    rf"{_MED_WORDS} (are |is )?(all )?(finished|over|done|gone|in me|sorted)\b|\ball taken\b|"
    rf"\b(gulped|ate|chewed|downed|got)( down)? (my|the|all my|both|all the)( \w+)? {_MED_WORDS}|"
    r"\bgot (them|it|those|these)( all| both)? down\b(?! (from|off|to|in|out|for|on))"
)
_TAKE_NEGATION = re.compile(
    r"\b(did not|have not|has not|had not|never|forgot( to)?|forget( to)?|forgotten( to)?|"
    r"could not|was not able to|not yet|missed|not taken|yet to|still (in|on|sitting|there)|"
    r"not (had|done|used|swallowed)|forgetting|(nah|no) (go )?(take|taking))\b|"
    # Dialects: Scots "havnae", "I've no had"; Irish "not after taking" (not taken yet);
    # Caribbean "nuh tek"; and "not ... yet" with words between ("he's not had them yet").
    r"\b(have|has|had|did|was|were|could|can|will|would|should|is|are|hav|haven|has)nae\b|"
    r"\bno (had|taken|tane)\b|\bnot after (taking|having|doing|using)\b|\b(nuh|neva) take\b|"
    # An intention that came to nothing ("meant to have it but it went out of my head"), and a
    # dose thought taken that was not ("thought I took it but the box is still full"); not when
    # the dose was taken after all ("I wanted to leave it but I took them anyway").
    r"\b(meant|intended|wanted|planned|tried|going|supposed) to (take|have|do|swallow|use)\b"
    r".{0,60}\bbut\b(?!.{0,40}\b(took|taken|swallowed)\b)|"
    r"\bthought (i|he|she)\b.{0,20}\b(had|took|taken|done|did)\b.{0,60}\b(but|nope|not)\b"
    r"(?!.{0,40}\b(took|taken|swallowed)\b)"
)
# A dose not taken yet: intended, planned, conditional or under way ("I'll take it later",
# "if my stomach settles I'll have them", "I'm getting my pills out"). Never a report.
_NOT_YET = re.compile(
    r"\b(will|shall|going to|about to|planning to|plan to|intend to|need to|have to|must|"
    r"should|ought to|want to|would like to|meaning to|mean to|hoping to|try to)"
    r"( \w+){0,3} (take|taking|have|having|swallow|use|using|get|do|doing|pop)\b|"
    r"\bif\b.{0,40}\b(take|have|swallow)\b|\b(take|have|swallow)\b.{0,40}\bif\b|"
    r"\b(am|is|are) (just )?(getting|taking|having|about|going|sorting|opening|pouring|fetching)\b|"
    r"\b(was|were) (going|meaning|about|supposed|meant) to\b|"
    r"\b(take|have|do|use) (it|them|my \w+( \w+)?) (later|in a (minute|bit|while|moment))\b|"
    r"\b(will|shall|going to) (give|bring|do) (me|him|her|us)\b|"
    # Under way, said without a subject ("taking them now, hang on", "just popping them out"),
    # or what a dose is about to be taken with ("getting water to take them with").
    r"^(just |now |right )?(getting|taking|popping|opening|pouring|fetching|sorting|having) "
    r"(them|it|my|the|out|a|some|those|these)\b|"
    r"\b(getting|get|fetching|pouring|grabbing|finding)\b.{0,30}\bto (take|swallow|wash down|"
    r"have|get down) (it|them|those|these|my \w+|the \w+)( \w+)? with\b"
)
# Doubt about a dose that may have been taken: a question to answer from the record, not a
# report ("maybe I took them", "I might have had my tablets").
_UNSURE = re.compile(
    r"\b(maybe|perhaps|probably|possibly|not sure|unsure|might have|may have|could have|"
    r"i think i might|can not remember|do not remember|can not recall|not certain|uncertain|"
    r"can not be sure|not positive|no idea (if|whether)|do not know (if|whether))\b|"
    # "I can't for the life of me remember whether I took it".
    r"\b(can not|do not|could not)\b.{0,25}\b(remember|recall|be sure)\b"
)
_SKIP = re.compile(
    r"\bskip(ping|ped)?\b|^forget (the|my|about)\b|"
    r"\b(nah|no) (go )?take\b.*\b(today|tonight|now)\b|"
    r"\b(going to|will|shall|want to|have to|need to) (give )?miss( out)?\b|"
    r"\b(will not( be)?|shall not( be)?|am not going to|not going to|do not want to|do not wanna|"
    r"refuse to|rather not|would rather not|decided not to|chose not to|no longer) "
    r"(take|have|taking|having)\b.{0,30}"
    r"(today|tonight|this (morning|evening|time)|now|anymore|any more|for now|this one|"
    rf"{_MED_WORDS}|\bit\b|\bthem\b)|"
    r"\b(leave|leaving) (it|them|that|(my|the|his|her) \w+( \w+)?) "
    r"(out|off|for now|for today|today|tonight)\b|\b(leave|leaving) (it|them)$|"
    # A dose held on advice ("the GP said hold the ramipril", "we're holding off his metformin").
    rf"\b(hold|holding|pause|pausing) (off |back )?(on )?(the|my|his|her|their|our) (\w+ )?"
    rf"{_MED_WORDS}|"
    rf"\brefus(e|es|ed|ing)\b.{{0,25}}({_MED_WORDS}|\bit\b|\bthem\b)|"
    r"\bpass on\b|\bgiv(e|ing) .{0,25}\ba miss\b|"
    r"\b(will not|shall not|not going to|am not going to|can not be) bother(ed)?\b|"
    rf"\bstop(ped|ping)? (taking |having )?(the|my|those|these|that)\b.{{0,20}}{_MED_WORDS}|"
    r"\btake me off (the|my)\b|\b(day|night|break|rest|holiday) (off|from) (the|my)\b|"
    r"\b(would )?prefer not to (take|have)\b|\bgoing without\b|\bdo not want (it|them)\b|"
    r"\bdo not want (my|the|any)\b.*"
    rf"{_MED_WORDS}|\bno (more )?(pills|tablets|medicine|meds) (for me )?(today|tonight|this)\b|"
    r"\bnot (taking|having|doing) (it|them|my|the|any|those|these|that)\b|"
    r"\b(leave|leaving) out (my|the|them|it|those|these)\b|\bnot bothering( with)?\b|"
    r"\bdo not (need|fancy|feel like)( taking| having)? (my|the|any|them|it)\b|\bcancel\b|"
    r"\bleave (the|my) \w+( \w+)? (for|until|till)\b|\bskip\b"
)
# A medicine carried somewhere, not swallowed ("I took my pill bottle back to the chemist").
_CARRIED = re.compile(
    r"\b(bottles?|box(es)?|packets?|prescriptions?|bags?|organi[sz]ers?|cases?|containers?|"
    r"dispensers?)\b.{0,12}"
    r"\b(back|to the|into the|round to|upstairs|downstairs|with me|from the|out of the|to fill)\b"
)
# Medicine ordered, collected, delivered or counted: handled, not swallowed ("I've ordered
# more pills" holds "have ... pills").
_HANDLED = re.compile(
    r"\b(ordered|order|collected|collect|picked up|pick up|fetched|bought|buy|delivered|"
    r"arrived|came|renewed|refilled|refill|counted|dropped|lost|found|posted|"
    r"sorted( out)? (my|the|his|her|them|it|those|these)|"
    r"rang|phoned|called)\b"
)
_SWALLOWED = re.compile(r"\b(took|taken|swallowed|popped|used)\b")
# A question about medicines named only as "they", "these" or "which one".
_ABOUT_THEM = re.compile(
    r"\bwhat (is|are) (it|they|these|those|this|that|the \w+)( \w+)? for\b|\bwhich (one|ones)\b|"
    r"\bhow many\b.{0,15}\bleft\b|\b(fridge|empty stomach|with food|crush|chew|split)\b"
)
# Running out of a medicine, or a change to it: something to answer or pass on, not a dose.
_SUPPLY = re.compile(
    r"\b(running|run|ran|nearly|almost|getting|about|practically) (out|low|short)\b|"
    r"\b(need|want|get|order|have to get) (some )?(more|another|a new|new|a repeat|repeat)\b|"
    r"\bside effects?\b|\b(doctor|gp|nurse|consultant|chemist|pharmacist) "
    r"(changed|upped|lowered|reduced|increased|put me|stopped|switched)\b|"
    r"\b(said|told me|wants|wanted)( me)? (to|i should|i need to) (change|halve|double|stop|start|"
    r"increase|reduce|cut|lower|switch)\b|\b(halving|doubling)\b|"
    r"\b(changed|upped|lowered|reduced|increased|doubled|halved) (my|the)\b|"
    r"\bnone left\b|\b(box|bottle|packet|pack|tube|inhaler) is empty\b|"
    r"\bempty (box|bottle|packet)\b"
)
# A dose not taken, said in a few words: "not yet", "not taken", "later, I'll do it later".
_NOT_YET_FRAGMENT = re.compile(
    r"^(no )?(not (yet|taken|had( it| them)?|done)|later|in a (minute|bit|while|moment))\b|"
    r"^(give me|wait|hang on|hold on|just)( a| one| two| five| ten)? "
    r"(minute|minutes|mo|moment|sec|second|seconds|tick)\b"
)


# "A dose of the flu", "a bout of shingles": an illness, not a medicine.
_ILLNESS_DOSE = re.compile(
    r"\b(a|bad|nasty) (dose|bout|touch) of (the )?(flu|cold|covid|bug|virus|shingles|gout|"
    r"sciatica|runs|sickness|\w+itis)\b"
)


def _handled_not_taken(core: str) -> bool:
    if _CARRIED.search(core) or _ILLNESS_DOSE.search(core):
        return True
    return _HANDLED.search(core) is not None and _SWALLOWED.search(core) is None


_DID_I_TAKE = re.compile(
    r"\b(did|have|had) i (already |even |actually |really )?(take|taken|took|had|have|swallow)\b|"
    r"\b(has|did) (he|she|dad|mum|mom|mother|father|grandad|granddad|gran|nan|nana|grandma|"
    r"grandpa|my (husband|wife|mum|mom|dad|mother|father)) (already |even )?(had|taken|take|"
    r"took|have)\b|"
    r"\b(if|whether) i (already |have )?(took|taken|had|have taken|did)\b|"
    r"\b(are|were|is|was) (my |the )?\w* ?(pills|tablets|meds|medicine|dose|doses) (already )?"
    r"(taken|done)\b|\btaken (it|them|my \w+( \w+)?) (already|yet)\b|\bhave i had\b"
)
# What a question about the schedule or a medicine may say without a medicine word.
_ABOUT_THE_SCHEDULE = re.compile(
    r"\bwhat (am i|do i|is she|is he) (taking|having|on)\b"
    r"(?! for (dinner|lunch|tea|breakfast|supper))|\bnext (lot|ones?|batch|round)\b|"
    r"\bwhat is left( for (today|tonight|this (morning|evening|afternoon)))?$|"
    r"\bwhat is left to take\b|\bdifferent (brand|make|maker|colour|color|shape)\b|\bgeneric\b"
)
# Asking leave to stop or change a medicine: a question, never a skip.
# ("Can I skip it today?" decides today's dose and stays a skip.)
_MAY_I = re.compile(
    r"^(can|could|should|may|must|do) i (have to )?(stop|come off|cut|halve|double|drop)"
    r"( taking| having)? (the|my|those|these|it|them|down)\b|"
    r"^is it (ok|okay|alright|all right|safe|fine) (if i|to) (stop|come off|drop)"
    r"( taking| having)? (the|my|those|these|it|them)\b"
)
_NEXT = re.compile(r"\bnext\b|\bwhen (is|do|should|am|will|can|does|are)\b|\bwhat time\b")
_WHAT_TO_TAKE = re.compile(
    r"\bwhat (do|should|am|have|must|will|is it) i\b|\bwhat (pills|tablets|meds|medicine|"
    r"medication|medications|do i|is due|am i due|are my|is my)\b|\bwhich (pills|tablets|meds|"
    r"medicine|one|ones)\b|\bhow many\b|\bwhat is (due|left)\b|\banything (due|left|to take)\b|"
    r"\b(is|are) there (any )?(pills|tablets|meds|medicine|more)\b|\bwhat else\b"
)
_SYMPTOM_STATEMENT = re.compile(
    r"\b(i have|i have got|i got|i feel|i am feeling|feeling|i am|i keep|got a|got an|"
    r"suffering|my|i think i have|i seem|having|i been|there is|it|getting|i can not|i could not|"
    r"i did not|i have not|i hardly|i barely)\b"
)
_SYMPTOM_GONE = re.compile(
    r"\b(do not|does not|did not|no longer|not) (have|feel|hurt|got)\b|\bno (more )?\w+ "
    r"(today|now|anymore)\b|\b(is|are|has) (gone|better|fine|okay|ok)\b|\bwent away\b|"
    r"\bnot (dizzy|sick|tired|nauseous|in pain|hurting)\b|\bany ?more\b"
)


def understand_by_rules(text: str, known_medications: Sequence[str] = ()) -> RuleVerdict:
    """Understand `text` with rules only. Emergencies come first and always win."""
    normalized = normalize(text)
    named = strip_fillers(normalized)
    medication = find_medication(named, known_medications)
    # Rules speak of "medicine"; a named one is heard the same way.
    core = as_medicine(named, known_medications)
    time_reference = find_time(core)

    emergency = detect_emergency(normalized)
    if emergency is not None:
        return _verdict(
            Intent.EMERGENCY,
            confident=True,
            symptom=None if emergency.kind is EmergencyKind.HELP else emergency.kind.value,
            body_part="chest" if emergency.kind is EmergencyKind.CHEST_PAIN else None,
        )

    has_med = re.search(_MED_WORDS, core) is not None or medication is not None
    symptom = first_match(core, SYMPTOMS)
    body_part = first_match(core, BODY_PARTS)
    if symptom == "pain" and body_part == "head":
        symptom = "headache"

    if _MAY_I.search(core) and has_med and is_question(text, normalized):
        # "Can I stop the steroids now?" asks; it decides nothing.
        return _medication_question(medication, time_reference, QuestionKind.ABOUT_MEDICATION)

    if _SKIP.search(core) and (
        has_med
        or (time_reference is not None and symptom is None)
        or re.search(r"\b(it|them|this one|dose)\b", core)
    ):
        return _verdict(
            Intent.SKIP_DOSE, confident=True, medication=medication, time_reference=time_reference
        )

    if has_med and _SUPPLY.search(core) and not _TAKE_NEGATION.search(core):
        return _medication_question(medication, time_reference, QuestionKind.ABOUT_MEDICATION)

    if is_question(text, normalized):
        if (
            has_med
            or _DID_I_TAKE.search(core)
            or (_UNSURE.search(core) and _TAKEN_STATEMENT.search(core))
            or re.search(r"\bwith (these|those|them)\b", core)
            or _ABOUT_THEM.search(core)
            or re.search(r"\b(take|due|dose|doses|double up|missed|miss|next one|schedule)\b", core)
            or _ABOUT_THE_SCHEDULE.search(core)
        ):
            return _medication_question(medication, time_reference, _question_kind(core))
        if symptom is not None:
            return _verdict(
                Intent.LOG_SYMPTOM,
                confident=False,
                symptom=symptom,
                body_part=body_part,
                severity=parse_severity(core),
                time_reference=time_reference,
            )
        return _verdict(Intent.OTHER, confident=time_reference is None)

    taken = (
        _TAKEN_STATEMENT.search(core) is not None
        or (medication is not None and re.search(_TAKE_PAST, core) is not None)
    ) and not _handled_not_taken(core)
    # "I have indigestion after my tablets": a symptom with only "have" is no dose report.
    weak_take = re.search(r"\b(took|taken|swallowed|popped|used|finished|done)\b", core) is None
    # "Yes I took it, I just feel a bit dizzy": the dose report leads, the symptom is said after.
    took_it = re.search(r"\b(took|taken|swallowed|had) (it|them)\b(?! easy)", core) is not None
    if (
        taken
        and (has_med or symptom is None or took_it)
        and not (symptom is not None and weak_take)
    ):
        if _UNSURE.search(core):
            return _medication_question(medication, time_reference, QuestionKind.DID_I_TAKE)
        return _verdict(
            Intent.REPORT_DOSE_TAKEN,
            confident=True,
            medication=medication,
            time_reference=time_reference,
            negated=_TAKE_NEGATION.search(core) is not None or _NOT_YET.search(core) is not None,
        )
    not_yet = (
        _NOT_YET.search(core) is not None
        and re.search(
            r"\b(take|taking|have|having|swallow|use|using|do|doing|pop|give|get|getting)\b", core
        )
        is not None
        and re.search(r"\btake it easy\b", core) is None
    )
    if (has_med and (_TAKE_NEGATION.search(core) or not_yet)) or (
        symptom is None
        and (_NOT_YET_FRAGMENT.search(core) or (not_yet and re.search(r"\b(it|them)\b", core)))
    ):
        return _verdict(
            Intent.REPORT_DOSE_TAKEN,
            confident=True,
            medication=medication,
            time_reference=time_reference,
            negated=True,
        )

    if symptom is not None:
        negated = _SYMPTOM_GONE.search(core) is not None or is_denied(normalized)
        return _verdict(
            Intent.LOG_SYMPTOM,
            confident=negated
            or _SYMPTOM_STATEMENT.search(core) is not None
            or first_match(" ".join(core.split()[:2]), SYMPTOMS) is not None,
            symptom=symptom,
            body_part=body_part,
            severity=parse_severity(core),
            time_reference=time_reference,
            negated=negated,
        )

    domain_words = has_med or body_part is not None or time_reference is not None
    return _verdict(
        Intent.OTHER,
        confident=not domain_words,
        medication=medication,
        negated=is_denied(normalized),
    )


def understanding_as(
    intent: Intent, text: str, known_medications: Sequence[str] = ()
) -> Understanding:
    """`intent` for `text` (decided elsewhere) with the slots the rules find for it; a dose
    report is negated when the rules see any negation, intention or doubt in it."""
    core = strip_fillers(normalize(text))
    if intent is Intent.SKIP_DOSE and _NOT_YET.search(core) and not _SKIP.search(core):
        # "I'll do my inhaler later" is a dose not taken yet, never a skip to record.
        intent = Intent.REPORT_DOSE_TAKEN
    slots: dict[str, object] = {
        "medication": find_medication(core, known_medications),
        "time_reference": find_time(core),
    }
    if intent is Intent.LOG_SYMPTOM:
        slots["symptom"] = first_match(core, SYMPTOMS)
        slots["body_part"] = first_match(core, BODY_PARTS)
        slots["severity"] = parse_severity(core)
    elif intent is Intent.MEDICATION_QUESTION:
        slots["question"] = _question_kind(core)
    elif intent is Intent.REPORT_DOSE_TAKEN:
        slots["negated"] = any(
            pattern.search(core) for pattern in (_TAKE_NEGATION, _NOT_YET, _UNSURE, _SKIP)
        )
    elif intent is Intent.EMERGENCY:
        slots = {}
    return Understanding.model_validate({"intent": intent, **slots})


def mentions_medication(text: str, known_medications: Sequence[str] = ()) -> bool:
    """Whether `text` names a medicine, a dose, or points back at one ("it", "them")."""
    core = strip_fillers(normalize(text))
    return (
        re.search(_MED_WORDS, core) is not None
        or find_medication(core, known_medications) is not None
        or re.search(r"\b(it|them|this one|that one|dose)\b", core) is not None
    )


def _question_kind(core: str) -> QuestionKind:
    if _DID_I_TAKE.search(core):
        return QuestionKind.DID_I_TAKE
    if _WHAT_TO_TAKE.search(core):
        return QuestionKind.WHAT_TO_TAKE
    if _NEXT.search(core):
        return QuestionKind.NEXT_DOSE
    return QuestionKind.ABOUT_MEDICATION


def _medication_question(
    medication: str | None, time_reference: TimeReference | None, question: QuestionKind
) -> RuleVerdict:
    return _verdict(
        Intent.MEDICATION_QUESTION,
        confident=True,
        medication=medication,
        time_reference=time_reference,
        question=question,
    )


def _verdict(intent: Intent, *, confident: bool, **slots: object) -> RuleVerdict:
    understanding = Understanding.model_validate({"intent": intent, **slots})
    return RuleVerdict(understanding=understanding, confident=confident)
