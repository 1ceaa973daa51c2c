"""Emergency rules: checked first, on every utterance, and never dependent on a model.

Recall matters more than precision here: a false alarm costs a caregiver a phone call, a missed
fall can cost a life. So the patterns are broad (paraphrases, elderly phrasing, recogniser
slips) and only an explicit denial of the same thing ("I did not fall", "no chest pain") is
taken out before matching.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum


class EmergencyKind(StrEnum):
    """What kind of emergency a phrase points to (said in the alert)."""

    FALL = "fall"
    CHEST_PAIN = "chest_pain"
    BREATHING = "breathing"
    STROKE = "stroke"
    UNCONSCIOUS = "unconscious"
    BLEEDING = "bleeding"
    ALLERGIC_REACTION = "allergic_reaction"
    OVERDOSE = "overdose"
    SEIZURE = "seizure"
    SELF_HARM = "self_harm"
    HELP = "help"


@dataclass(frozen=True)
class EmergencyMatch:
    """The emergency found, the words that triggered it, and whether a whole phrase said so
    (`certain`) or only a single word of the safety net."""

    kind: EmergencyKind
    phrase: str
    certain: bool = True


_BODY_OF_CHEST = r"(chest|heart|breastbone|left arm and chest)"
# "help" as a call for help, not "help me with my pills" or "help to remember".
_HELP = (
    r"help\b(?! (with|to|me with|me to|me understand|me remember|me find|me figure|me know|"
    r"me check|understand|remember|find|figure|out|choose|decide|reading|using|me work))"
)

PATTERNS: tuple[tuple[EmergencyKind, str], ...] = (
    (
        EmergencyKind.FALL,
        r"\b(i|i have|i just|i think i|i have just|i had|we|she|he|my (wife|husband) has?)\s*"
        r"(fell|fallen|fall(en)? over|fall(en)? down|tripped|slipped|collapsed|"
        r"took a (fall|tumble))|\bfallen\b|\bcollaps(e|ed|ing)\b|"
        r"\b(on|down on|lying on) the (\w+ )?(floor|ground)\b|"
        r"\bhad a (fall|tumble|spill)\b|\bon the (floor|ground)\b|\bcan not get up\b|"
        r"\bunable to get up\b|\bcan not stand( up)?\b|\bcan not get off the floor\b|"
        r"\bfell (down|over|out of bed|in the|on the|off)\b|\bfallen (down|over)\b|"
        r"\bjust fell\b|\bi fell\b|\bfall down\b|\bfell\b$|\btumbl(e|ed)\b|"
        r"\b(went|gone|keeled) over\b|\blost my (balance|footing)\b|\b(can not|unable to) move\b|"
        r"\bstuck (on|in) the\b|\b(hit|banged|bumped|cracked) my head\b|\b(went|gone|go) flying\b|"
        r"\b(broken|broke|cracked) my (hip|leg|arm|wrist|ankle|neck)\b|"
        r"\b(lying|laying|lain|stuck) (here|there|on the \w+)( for| all| since)\b",
    ),
    (
        EmergencyKind.CHEST_PAIN,
        rf"\b{_BODY_OF_CHEST} (pain|pains|hurts|hurt|is hurting|aches|is aching|feels tight|"
        r"is tight|tightness|pressure|is heavy|feels heavy|is crushing|is burning)\b|"
        r"\b(crushing|squeezing|tight|heavy|pressing|stabbing) (feeling|sensation|pain)\b.{0,25}"
        r"\bchest\b|\bchest\b.{0,25}\b(crushing|squeezing|pressing|stabbing)\b|"
        rf"\b(pain|pains|tightness|pressure|heaviness|squeezing|crushing|ache|aching|burning) "
        rf"(in|on|across|around) (my|the) {_BODY_OF_CHEST}\b|"
        r"\bheart attack\b|\bheart is (stopping|failing)\b|\bangina\b|"
        r"\bpain (going|spreading|shooting|moving|running|radiating) (down|into|up|to|across)\b|"
        r"\b(arm|jaw|neck)\b.{0,20}\b(and|to|into)\b.{0,10}\b(jaw|chest)\b|"
        r"\bchest is (killing|crushing)\b|\b(chest|heart)\b.{0,15}\b(is hurting|hurts|aches)\b|"
        r"\bheart\b.{0,40}\b(racing|pounding|hammering|going like)\b.{0,40}"
        r"\b(will not|would not|can not|does not) (slow|stop|settle|calm)\b|"
        r"\btight chest\b|\bchest tightness\b|\bchest pain\b",
    ),
    (
        EmergencyKind.BREATHING,
        r"\b(can not|could not|can hardly|can barely|struggling to|trouble|difficulty|hard to|"
        r"problems?|unable to|not able to|hard time) ?(breathe|breathing|catch my breath|get air|"
        r"get (any |enough )?air( in)?|"
        r"get my breath)\b|\bshort(ness)? of breath\b|\bout of breath\b|\bbreathless\b|"
        r"\bgasping\b|\bchoking\b|\bsuffocating\b|\bwheezing badly\b|\bno air\b|"
        r"\bcan not breath\b|\bbreathing is (bad|hard|difficult|funny|strange)\b|"
        r"\b(turning|gone|going|went) blue\b|"
        r"\b(lips|face|fingers) (are |is |have gone |gone )blue\b",
    ),
    (
        EmergencyKind.STROKE,
        r"\bface (is )?(drooping|droops|numb|fallen|crooked|lopsided)\b|\bdrooping face\b|"
        r"\b(arm|leg|face|side|hand)\b.{0,20}\b(gone )?(numb|dead|limp)\b.{0,40}\b(face|arm|leg|"
        r"speak|talk|words)\b|"
        r"\bslurr(ed|ing)\b|\bcan not (speak|talk|get my words out|find my words)\b|"
        r"\b(arm|leg|face|side|hand)\b.{0,20}\b(gone )?weak\b.{0,40}\b(speech|speak|talk|words)\b|"
        r"\b(arm|leg|face)\b.{0,25}\bon the (left|right)( side)?\b.{0,15}\b(weak|numb|dead|limp)\b|"
        r"\bspeech (is|has gone|has become|sounds|went|gone)( all| a bit)? (funny|strange|wrong|"
        r"garbled|odd|weird|slurry|not right)\b|"
        r"\bwords are (coming out )?(wrong|jumbled|funny)\b|"
        r"\b(numb|numbness|weak|weakness|can not feel|can not move)\b.{0,30}\b(one side|left side|"
        r"right side|my (left|right) (arm|leg|side))\b|"
        r"\bcan not (move|lift|feel) my (arm|leg|face)\b|\bstroke\b|\bworst headache of my life\b|"
        r"\bsudden(ly)? (can not see|blind|lost my sight)\b|\b(gone|went|going) blind\b|"
        r"\b(terrible|worst|sudden|severe|awful|splitting) headache\b.{0,40}\b(can not see|vision|"
        r"can not speak|can not talk|numb)\b|"
        r"\bcan not see (anything|at all|out of)\b|\blost (my )?(sight|vision)\b",
    ),
    (
        EmergencyKind.UNCONSCIOUS,
        r"\b(fainted|passed out|blacked out|black out|blacking out|fainting|losing consciousness|"
        r"passing out|keep fainting|(funny|queer|dizzy|bad) turn|"
        r"lost consciousness|going to faint|about to faint|going to pass out|unconscious|"
        r"going to collapse|about to collapse|"
        r"will not wake up|not waking up|not breathing|not responding)\b|"
        r"\bsugar\b.{0,25}\b(very|really|dangerously|so) low\b.{0,60}\b(shaking|sweating|confused|"
        r"can not think|dizzy|faint|drowsy)\b|"
        r"\b(shaking|sweating|shaky|sweaty|confused|can not think)\b.{0,60}\bsugar\b.{0,25}"
        r"\b(very|really|dangerously|so|must be|is) low\b(?! normal|ish)|"
        # Sudden, severe confusion (a stroke, an infection, a low sugar), not everyday muddle:
        # someone lost to where or who they are, or not knowing the family.
        r"\bi (do not|can not) (know|tell) (where|who) i am\b|"
        r"\b(does not|did not|can not) (know|tell) (where|who) (she|he) is\b(?! going)|"
        r"\b(she|he|mum|mom|dad|gran|nan|grandad|my (wife|husband|mother|father|mum|mom|dad)) "
        r"(does not|did not|can not) (recogni[sz]e|know) (me|us|who i am|who we are)\b|"
        r"\b(never|not) (been|seen (her|him|me)) (this|so) confused\b|\bsuddenly (very |so )?"
        r"confused\b(?! (me|us|him|her|them))",
    ),
    (
        EmergencyKind.BLEEDING,
        r"\bbleeding (a lot|badly|heavily|everywhere|will not stop|a great deal)\b|"
        r"\b(lots|lot|loads) of blood\b|\bblood everywhere\b|\bwill not stop bleeding\b|"
        r"\bcoughing (up )?blood\b|\bvomiting blood\b|\bthrowing up blood\b|\bbleeding heavily\b|"
        r"\bblood in (my|the|her|his) (sick|vomit)\b|\b(sick|vomit) (is |has )?(full of )?blood\b|"
        r"\bblood when (i|she|he) cough\b|"
        r"\bcut (myself|my \w+|it)\b.{0,30}\b(will not|would not|does not|can not get it to) "
        r"stop\b|"
        r"\b(pouring|gushing|pumping|spurting|streaming) (with |out )?blood\b|"
        r"\bblood (is )?(pouring|gushing|pumping|spurting|streaming)\b",
    ),
    (
        EmergencyKind.ALLERGIC_REACTION,
        r"\b(throat|tongue|lips?|face) (is |are )?(swelling|swollen|closing)\b|"
        r"\b(throat|tongue|lips?)\b.{0,25}\b(swelling|swollen|closing|tight)\b|"
        r"\banaphyla|\ballergic reaction\b",
    ),
    (
        EmergencyKind.OVERDOSE,
        r"\btook (too many|way too many|all of my|all my|the whole (bottle|packet|box)|double|"
        r"twice|an extra|extra)\b|\btaken too many\b|\boverdose(d)?\b|\btoo many (pills|tablets)\b|"
        r"\b(took|taken|had|swallowed)\b(?! the runs).{0,30}\b(twice|double|two lots|by mistake|"
        r"by accident)\b|"
        r"\b(took|taken|had|swallowed) (a|the) whole\b|\ball (of )?(my|the) \w+ at once\b|"
        r"\b(took|taken|swallowed) (a load|loads|lots|a lot|a bunch) of (my |her |his |the )?"
        r"(pills|tablets|medicine|meds|capsules)\b|"
        r"\b(took|taken|had|swallowed)\b.{0,40}\bon purpose\b|"
        r"\b(child|kid|baby|toddler|little one|grandson|granddaughter|grandchild|grandkids?)\b"
        r".{0,40}\b(got into|eaten|ate|swallowed|had some of)\b|"
        r"\ball (of )?my (sleeping|sleep|pain|heart) (tablets|pills)\b|\ba handful of\b|"
        r"\b(took|taken|had|swallowed) (the |my |some(one|body) else )?wrong (pills?|tablets?|"
        r"medicines?|dose|ones?)\b|\b(some(one|body) else|my (wife|husband)) (pills|tablets)\b|"
        r"\b(pills?|tablets?|medicines?|meds|dose|insulin)\b.{0,15}\b(instead of (mine|my own|my)|"
        r"(that|which) (were|was|are|is) not (mine|for me)|meant for (him|her|my \w+))\b|"
        # Many at once: "swallowed about ten of my sleeping tablets", "all her week's tablets",
        # "the whole dosette". A number after "my" is a label ("my 8 o'clock pills").
        r"\b(took|taken|had|swallowed|eaten|ate)\b.{0,15}\b((about|around|maybe|like|nearly|"
        r"over|at least|almost|all) (of )?(the )?(five|six|seven|eight|nine|ten|eleven|twelve|"
        r"fifteen|twenty|thirty|forty|fifty|[5-9]|[1-9][0-9]+)( of)?|(five|six|seven|eight|nine|"
        r"ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|[5-9]|[1-9][0-9]+) of) "
        r"(my |her |his |the |them |those |these )?(\w+ )?(pills|tablets|capsules|ones)\b|"
        r"\b(took|taken|had|swallowed|eaten|ate)\b.{0,20}\ball (of )?(my|her|his|the|their) "
        r"(week|weeks|month|months|fortnight)( worth of)? (pills|tablets|capsules|meds|medicine)\b|"
        r"\b(took|taken|had|swallowed|eaten|ate)\b.{0,20}\bwhole (dosette|pill box)\b",
    ),
    (
        EmergencyKind.SEIZURE,
        r"\b(seizures?|having a fit|had a fit|convulsions?|convulsing|shaking uncontrollably)\b",
    ),
    (
        EmergencyKind.SELF_HARM,
        r"\b(kill myself|end my life|want to die|wanna die|do not want to live|hurt myself|"
        r"suicid(e|al)|end it all|do not want to be here( any ?more)?|can not go on|"
        r"no point (in )?(living|going on)|ending my life|and end it|end it (all|now|tonight))\b",
    ),
    (
        EmergencyKind.HELP,
        r"^(help|help me|help help|help me please|please help|please help me|sos|mayday|"
        r"emergency|it is an emergency|this is an emergency)$|\bambulance\b|\bparamedics?\b|"
        r"\bsend (someone|somebody|anyone|for someone)\b|"
        r"\b(need|want|get me|fetch) (a|the) (doctor|nurse|ambulance)\b.{0,15}\b(now|quick|quickly|"
        r"urgently|straight away|right away|immediately)\b|\bcome quick(ly)?\b|"
        r"\b(someone|somebody) (come|quick|hurry)\b|\bcall (someone|somebody)\b|"
        rf"\b(somebody|someone|anybody|anyone|i need|need|get|send|call for|call) (some )?{_HELP}|"
        rf"\b{_HELP}(?=.*\b(fall|fell|hurt|pain|floor|bleeding|breathe|dying)\b)|"
        r"\bhelp me\b(?! (with|to|understand|remember|find|figure|out|choose|decide|read|open|set|"
        r"know|get|check|work))|"
        r"\bhelp\b$|\bcall (an )?ambulance\b|\bcall (9 1 1|911|999|112|the doctor now|a doctor now|"
        r"for help|my (daughter|son|wife|husband|nurse|carer|caregiver) now)\b|"
        r"\bemergency\b|\burgent(ly)?\b|\bi am dying\b|\bi think i am dying\b|\bget an ambulance\b|"
        r"\bthis is the end\b(?! of)|\bi am (slipping|fading) away\b|"
        r"\b(been|had|there is) an accident\b|\bon fire\b|\bsmoke alarm\b|\bgas leak\b|"
        r"\bsmell (of )?(gas|burning|smoke)\b|\b(there is|full of) smoke\b",
    ),
)

# The safety net, tried after the phrases above: single words that, in a patient's mouth, are
# reason enough to call someone. Measured on a blind set, phrase rules alone caught only half
# of the unseen emergencies; a false alarm is the price this net knowingly pays.
SAFETY_NET: tuple[tuple[EmergencyKind, str], ...] = (
    (EmergencyKind.FALL, r"\b(fall|fell|fallen|falling)\b(?! asleep)|\bfloor\b|\bcollaps"),
    (
        EmergencyKind.CHEST_PAIN,
        r"\bchest\b(?! of drawers)|\bheart attack\b|\bleft arm\b.{0,30}\b(pain|hurts|aches?|numb|"
        r"heavy)\b|\b(pain|ache|aching|numb|heavy)\b.{0,20}\bleft arm\b",
    ),
    (EmergencyKind.BREATHING, r"\bbreath(e|es|ing|less)?\b|\bchok(e|es|ed|ing)\b|\bgasp"),
    (EmergencyKind.UNCONSCIOUS, r"\bfaint(ed|ing)?\b(?! (headache|pain|ache))|\bunconscious\b"),
    (EmergencyKind.STROKE, r"\bdroop(y|ing|s)?\b|\bstroke\b|\bslurr"),
    (
        EmergencyKind.BLEEDING,
        r"\bbleed(ing|s)?\b(?! (a little|a bit|slightly|when i brush))|\bblood everywhere\b",
    ),
    (
        EmergencyKind.HELP,
        rf"\b{_HELP}|\b(get|send|call|fetch) (someone|somebody|a doctor|the doctor|a nurse)\b|"
        r"\bdying\b|\bseizure\b|\b(9 1 1|911|999)\b|"
        r"\bsomething is (very |really |badly |seriously |terribly )?wrong\b|(?<!by )\baccident\b|"
        r"\bfire\b|\bsmoke\b",
    ),
)

# Explicit denials, removed before matching so "I did not fall" is no alarm on its own words.
_DENIALS = re.compile(
    r"\b(i )?(did not|have not|never|do not|am not|was not|had not) "
    r"(fall|fallen|fell|have (any )?chest pain|need (any )?help|need an ambulance|faint|fainted|"
    r"pass out|passed out|hurt myself)\b|"
    r"\bno (chest pain|emergency|need for help|need to call)\b|\bnot an emergency\b|"
    r"\bchest pain (is )?(gone|better|went away)\b|\bnothing urgent\b"
)

# Words about sleep that hold a danger word ("I fell asleep in my chair"), and figures of
# speech ("dying for a cuppa", "nearly gave me a heart attack").
_HARMLESS = re.compile(
    r"\b(fell|fall|falling|fallen) (asleep|behind|out with)\b|"
    r"\b(gave|give|giving|given) (me|us|him|her) a (heart attack|stroke|fit|turn)\b|"
    r"\bdying (for|to|of (boredom|laughter|laughing|embarrassment|curiosity|thirst|hunger))\b|"
    r"\bheart attack on a plate\b|\bfit of (the )?(sneezing|coughing|giggles|laughter|pique)\b|"
    r"\b(spilled|spilt|dropped|put|left|knocked|threw|thrown)\b.{0,30}"
    r"\b(on|onto) the (\w+ )?floor\b|"
    # A chest said to be well, or only a little wheezy or rattly, is no chest pain.
    r"\b(chest|breathing|heart) (is|feels|is feeling|sounds) (grand|fine|good|ok|okay|better|great|"
    r"clear|champion|all right|alright)\b|"
    r"\bchest (is|feels) (a bit|a little|slightly|bit) (wheezy|rattly|chesty|congested|phlegmy)\b"
)

_COMPILED = tuple(
    (kind, re.compile(pattern), certain)
    for patterns, certain in ((PATTERNS, True), (SAFETY_NET, False))
    for kind, pattern in patterns
)


# "A bit breathless after the stairs": worth a question, not an alert. Only these mild words
# with "a bit" and an effort; "I can't breathe" and "choking" alert whatever else is said.
_MILD_BREATHLESS = re.compile(
    r"\b(a bit|a little|bit|slightly|little bit) (breathless|short of breath|out of breath)\b"
)
_EFFORT = re.compile(
    r"\b(after|when i|climbing|walking|going up|stairs|hill|hoover\w*|exercise|garden\w*)\b"
)
_MILD_PHRASE = re.compile(r"(short(ness)? of breath|out of breath|breathless)")


def detect_emergency(normalized: str) -> EmergencyMatch | None:
    """The first emergency in normalized text (see `shared.understanding.text.normalize`)."""
    remaining = _HARMLESS.sub(" ", _DENIALS.sub(" ", normalized))
    for kind, pattern, certain in _COMPILED:
        match = pattern.search(remaining)
        if match is not None:
            phrase = match.group(0).strip()
            mild = (
                kind is EmergencyKind.BREATHING
                and _MILD_PHRASE.fullmatch(phrase) is not None
                and _MILD_BREATHLESS.search(remaining) is not None
                and _EFFORT.search(remaining) is not None
            )
            return EmergencyMatch(kind=kind, phrase=phrase, certain=certain and not mild)
    return None


def is_figure_of_speech(normalized: str) -> bool:
    """Whether the text holds danger words only as a figure of speech or about sleep ("dying
    for a cup of tea", "nearly gave me a heart attack", "fell asleep")."""
    return _HARMLESS.search(normalized) is not None and detect_emergency(normalized) is None


def is_denied(normalized: str) -> bool:
    """Whether the text explicitly denies an emergency ("I did not fall", "no chest pain")."""
    return _DENIALS.search(normalized) is not None
