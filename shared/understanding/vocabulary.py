"""Words the rules know: symptoms, body parts, medication names, times of day, severity.

Each table maps a regular expression over normalized text to the canonical slot value, in the
order it is tried (more specific first).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache

from shared.enums import Severity
from shared.understanding.model import TimeReference

SYMPTOMS: tuple[tuple[str, str], ...] = (
    (
        r"\bnot feeling (well|good|great|right|myself|so good|too good)\b|\bnot (well|right)\b|"
        r"\bfeel(ing)? (awful|terrible|poorly|unwell|rough|ill|off|lousy|rotten|bad|horrible|"
        r"funny|strange|wrong|peculiar|queer)\b|\bunwell\b|\bunder the weather\b|\bpoorly\b",
        "unwell",
    ),
    (
        r"\bheadaches?\b|\bmigraines?\b|\bhead (hurts|is hurting|is pounding|is aching|aches)\b|"
        r"\bpounding head\b",
        "headache",
    ),
    (r"\bstomach ?aches?\b|\btummy ?aches?\b|\bbelly ?aches?\b", "stomach ache"),
    (
        r"\b(stomach|tummy|belly|gut) (is |has been |been )?"
        r"(funny|bad|not right|off|upset|churning)\b",
        "upset stomach",
    ),
    (r"\bback ?aches?\b", "back pain"),
    (r"\btooth ?aches?\b", "toothache"),
    (r"\bearaches?\b", "earache"),
    (r"\bsore throat\b|\bthroat (is sore|hurts|is scratchy)\b", "sore throat"),
    (
        r"\bdizz(y|iness)\b|\blight ?headed\b|\bthe room is spinning\b|\bwoozy\b|\bvertigo\b|"
        r"\bgiddy\b|\bspinning\b|\bunsteady\b|\bswimmy\b|\bwobbly on my feet\b",
        "dizziness",
    ),
    (
        r"\bnause(a|ous|ated)\b|\bqueasy\b|\bsick to my stomach\b|\bfeel(ing)? (a bit |a little |"
        r"very |really )?sick\b|\bwant to (throw up|vomit)\b",
        "nausea",
    ),
    (r"\bvomit(ing|ed)?\b|\bthrew up\b|\bthrowing up\b|\bbeen sick\b", "vomiting"),
    (
        r"\bdiarrh?o?ea\b|\b(running|going|rushing) to the (toilet|bathroom|loo)\b|\bthe runs\b|"
        r"\bloose (motions?|stools?|bowels?)\b",
        "diarrhea",
    ),
    (
        r"\bconstipat(ed|ion)\b|\bcan not go to the (toilet|bathroom)\b|\bbunged up\b|"
        r"\bblocked up\b",
        "constipation",
    ),
    (r"\b(wee|pee|urinat\w*|passing water)\b", "frequent urination"),
    (r"\bcough(ing)?\b", "cough"),
    (r"\bwheez(e|es|ing|y)\b", "wheezing"),
    (r"\bringing in my ears?\b|\bears?\b.{0,15}\bringing\b|\btinnitus\b", "tinnitus"),
    (r"\boff colou?r\b|\bnot myself\b|\bout of sorts\b", "unwell"),
    (
        r"\b(stomach|tummy|belly) (is )?upset\b|\bupset (stomach|tummy)\b|\bindigestion\b|"
        r"\bheartburn\b|\bacidity\b|\bacid reflux\b|\bgastric\b|\bwind\b|\bgassy\b",
        "upset stomach",
    ),
    (
        r"\bfever\b|\btemperature\b|\bfeverish\b|\bburning up\b|\bchills\b|\bshiver(ing|y)\b",
        "fever",
    ),
    (r"\bhot (flushes|flashes|sweats)\b|\bnight sweats\b|\bsweating\b", "sweating"),
    (
        r"\btastes? (funny|strange|odd|metallic|bitter|of metal|like metal|of nothing)\b|"
        r"\blost my taste\b",
        "altered taste",
    ),
    (
        r"\bcold\b(?! (water|weather|outside))|\brunny nose\b|\bsniffles\b|\bstuffy nose\b|"
        r"\bsneez\w*\b|\bblocked nose\b|\bsniff(le|les|ly)\b|\bstuff(ed|y)( up)?\b",
        "cold",
    ),
    (
        r"\b(tired|tiredness|exhausted|fatigued?|worn out|no energy|weary|sleepy|drowsy|"
        r"sluggish|lethargic|drained|run down|knackered|shattered|whacked|done in|pooped)\b",
        "fatigue",
    ),
    (
        r"\bcan not sleep\b|\binsomnia\b|\bcould not sleep\b|\bdid not sleep\b|"
        r"\b(can not|could not|did not) get (to|off to) sleep\b|\bsleepless\b|\bbad night\b|"
        r"\bup all night\b|\bnot sleeping\b|"
        r"\btrouble sleeping\b|"
        r"\bawake all night\b|\bsleep a wink\b|\b(hardly|barely|never) slept\b",
        "insomnia",
    ),
    (r"\brash\b|\bhives\b|\bitch(y|ing)?\b|\bspots\b|\bblotch(es|y)\b", "rash"),
    (
        r"\bswell(ing|ed|on)\b|\bswollen\b|\bpuff(y|ed)\b|\bbloated\b|"
        r"\b(ankles?|feet|legs?|hands?|fingers?) (are|is) (like balloons|huge|like tree trunks)\b",
        "swelling",
    ),
    (
        r"\bconfus(ed|ion)\b|\bforgetful\b|\bmuddled\b|\bfoggy\b|\bmuzzy\b|\bfuzzy\b|"
        r"\bgroggy\b|\bmemory\b",
        "confusion",
    ),
    (
        r"\bblurr(y|ed) (vision|eyes)\b|\bcan not see (well|properly|clearly)\b|\bvision\b",
        "blurred vision",
    ),
    (
        r"\bpalpitations?\b|\bheart is (racing|pounding|fluttering)\b|\bracing heart\b|"
        r"\bheart\b.{0,15}\b(flutter\w*|racing|pounding|skipping|thumping|jumping)\b",
        "palpitations",
    ),
    (r"\bcramps?\b|\bcramping\b", "cramp"),
    (r"\btingl(e|es|ing|y)\b|\bpins and needles\b", "tingling"),
    (r"\bblurr(y|ed)\b", "blurred vision"),
    (r"\bstiff(ness)?\b", "stiffness"),
    (r"\btrembl\w*\b|\btremors?\b|\bshaking\b|\bthe shakes\b", "tremor"),
    (
        r"\b(blood )?sugars? (is |are |was |were |feels |seems |has been )?(low|high|up|down)\b",
        "blood sugar",
    ),
    (
        r"\bblood pressure (is |feels |seems |has been )?(high|low|up|down|through the roof)\b",
        "blood pressure",
    ),
    (r"\bnose ?bleeds?\b", "nosebleed"),
    (r"\bcan not hear\b|\bhard of hearing\b|\bdeaf\b|\bmy hearing\b", "hearing loss"),
    (r"\bfragile\b|\bfrail\b|\bdelicate\b|\bdicky\b|\bnot up to much\b", "unwell"),
    (r"\bweak\b|\bweakness\b|\bshaky\b|\bwobbly\b", "weakness"),
    (
        r"\bno appetite\b|\bnot hungry\b|\bcan not eat\b|\blost (my|her|his) appetite\b|"
        r"\boff (my|her|his|their) food\b|\bgone off (my|her|his) food\b",
        "loss of appetite",
    ),
    (r"\bdry mouth\b|\bmouth\b.{0,12}\bdry\b|\bparched\b", "dry mouth"),
    (r"\bulcers?\b|\bcold sores?\b|\bblisters?\b(?! (packs?|strips?))", "ulcer"),
    (r"\bnightmares?\b|\bbad dreams?\b", "nightmares"),
    (r"\bbruis(e|es|ed|ing)\b", "bruising"),
    (
        r"\banxious\b|\banxiety\b|\bnervous\b|\bworried\b|\bpanicky\b|\bnervy\b|"
        r"\bon edge\b|\bjittery\b|\bjumpy\b|\buneasy\b",
        "anxiety",
    ),
    (
        r"\b(sad|down|low|depressed|lonely|blue)\b(?= (today|lately|again|all day|$))|"
        r"\bfeel(ing)? (very |so |a bit |really )?(sad|depressed|lonely|low|down)\b|"
        r"\btearful\b|\bweepy\b|\bcrying\b|\blow in (my|her|his|their) (mood|spirits)\b|"
        r"\blow in (myself|herself|himself)\b|"
        r"\bdown in the dumps\b|\bfed up\b",
        "low mood",
    ),
    (
        r"\bpains?\b|\bpaining\b|\bhurts?\b|\bhurting\b|\bach(e|es|ing|y)\b|\bsore\b|"
        r"\bkilling me\b|"
        r"\bthrobbing\b|\bsting(s|ing)?\b|\bburn(s|ing)\b|\bplaying( me)? up\b|\bacting up\b|"
        r"\b(giving|gave|given) me (gyp|jip|trouble|grief|problems|hell)\b|\btwinges?\b",
        "pain",
    ),
)

BODY_PARTS: tuple[tuple[str, str], ...] = (
    (r"\bchest\b", "chest"),
    (r"\bhead\b|\btemples?\b", "head"),
    (r"\b(lower |upper )?back\b", "back"),
    (r"\bknees?\b", "knee"),
    (r"\bhips?\b", "hip"),
    (r"\bstomach\b|\btummy\b|\bbelly\b|\babdomen\b", "stomach"),
    (r"\blegs?\b|\bcalf\b|\bcalves\b", "leg"),
    (r"\bfeet\b|\bfoot\b|\btoes?\b|\bankles?\b", "foot"),
    (r"\barms?\b|\belbows?\b|\bwrists?\b", "arm"),
    (r"\bhands?\b|\bfingers?\b", "hand"),
    (r"\bshoulders?\b", "shoulder"),
    (r"\bneck\b", "neck"),
    (r"\bthroat\b", "throat"),
    (r"\beyes?\b", "eye"),
    (r"\bears?\b", "ear"),
    (r"\bteeth\b|\btooth\b|\bjaw\b|\bgums?\b", "mouth"),
    (r"\bjoints?\b", "joints"),
    (r"\bskin\b", "skin"),
)

# Common names, so the rules can pick a medication out even without the patient's plan.
COMMON_MEDICATIONS: tuple[str, ...] = (
    "aspirin",
    "metformin",
    "lisinopril",
    "amlodipine",
    "atorvastatin",
    "simvastatin",
    "levothyroxine",
    "omeprazole",
    "warfarin",
    "insulin",
    "ibuprofen",
    "paracetamol",
    "acetaminophen",
    "tylenol",
    "advil",
    "metoprolol",
    "losartan",
    "furosemide",
    "donepezil",
    "prednisone",
    "gabapentin",
    "vitamin d",
    "vitamins",
    "calcium",
    "iron",
    "statin",
    "blood thinner",
    "water pill",
    "inhaler",
    "eye drops",
    # Common names and brands in the UK, the US and India, so a plan-less eval still knows them.
    "lipitor",
    "zocor",
    "crestor",
    "rosuvastatin",
    "pravastatin",
    "ezetimibe",
    "norvasc",
    "synthroid",
    "thyroxine",
    "glucophage",
    "gliclazide",
    "glipizide",
    "januvia",
    "jardiance",
    "coumadin",
    "plavix",
    "clopidogrel",
    "eliquis",
    "apixaban",
    "xarelto",
    "rivaroxaban",
    "ramipril",
    "bisoprolol",
    "atenolol",
    "propranolol",
    "candesartan",
    "valsartan",
    "bendroflumethiazide",
    "hydrochlorothiazide",
    "spironolactone",
    "digoxin",
    "doxazosin",
    "isosorbide",
    "nitroglycerin",
    "gtn spray",
    "citalopram",
    "sertraline",
    "fluoxetine",
    "amitriptyline",
    "mirtazapine",
    "quetiapine",
    "lorazepam",
    "diazepam",
    "zopiclone",
    "tramadol",
    "codeine",
    "co codamol",
    "morphine",
    "naproxen",
    "diclofenac",
    "lansoprazole",
    "pantoprazole",
    "ranitidine",
    "allopurinol",
    "prednisolone",
    "salbutamol",
    "ventolin",
    "levodopa",
    "sinemet",
    "memantine",
    "tamsulosin",
    "finasteride",
    "alendronate",
    "folic acid",
    "vitamin b12",
    "methotrexate",
    "senna",
    "lactulose",
    "cetirizine",
    "loratadine",
    "crocin",
    "dolo",
    "ecosprin",
    "telma",
    "glycomet",
    "thyronorm",
    "pan d",
    "ozempic",
    "semaglutide",
    "mounjaro",
    "trulicity",
    "humalog",
    "lantus",
    "sitagliptin",
    "empagliflozin",
    "dapagliflozin",
    "entresto",
    "carvedilol",
    "diltiazem",
    "verapamil",
    "nifedipine",
    "hydralazine",
    "torsemide",
    "bumetanide",
    "pregabalin",
    "duloxetine",
    "venlafaxine",
    "trazodone",
    "escitalopram",
    "risperidone",
    "levetiracetam",
    "carbidopa",
    "rivastigmine",
    "oxybutynin",
    "montelukast",
    "symbicort",
    "seretide",
    "spiriva",
    "tiotropium",
    "fluticasone",
    "budesonide",
    "colchicine",
    "famotidine",
    "nexium",
    "esomeprazole",
    "gaviscon",
    "movicol",
    "docusate",
    "adcal",
    "calcichew",
    "ferrous sulfate",
    "ferrous sulphate",
    "potassium",
    "magnesium",
    "fish oil",
    "b12",
    # Brands and generics older patients name often (dementia, Parkinson's, pain, heart,
    # thyroid, diabetes).
    "aricept",
    "galantamine",
    "madopar",
    "ropinirole",
    "pramipexole",
    "rasagiline",
    "panadol",
    "calpol",
    "nurofen",
    "oxycodone",
    "temazepam",
    "haloperidol",
    "lasix",
    "indapamide",
    "amiodarone",
    "gtn spray",
    "zestril",
    "coversyl",
    "irbesartan",
    "eltroxin",
    "farxiga",
    "pioglitazone",
    "novorapid",
    "levemir",
    "tresiba",
)

TIMES: tuple[tuple[str, TimeReference], ...] = (
    (r"\btonight\b|\bthis evening\b", TimeReference.TONIGHT),
    (r"\btomorrow\b", TimeReference.TOMORROW),
    (r"\byesterday\b|\blast night\b", TimeReference.YESTERDAY),
    (
        r"\bmornings?\b|\bbreakfast\b|\bwhen i (woke|wake) up\b|\b\d{1,2}( \d{2})? ?(am|a m)\b",
        TimeReference.MORNING,
    ),
    (r"\bnoon\b|\bmidday\b|\blunch(time)?\b", TimeReference.NOON),
    (r"\bafternoons?\b", TimeReference.AFTERNOON),
    (r"\bevenings?\b|\bdinner\b|\bsupper\b|\bteatime\b", TimeReference.EVENING),
    (r"\bnight\b|\bbedtime\b|\bbed time\b|\bbefore bed\b", TimeReference.NIGHT),
    (r"\bright now\b|\bnow\b|\bat the moment\b", TimeReference.NOW),
    (r"\btoday\b|\bthis day\b", TimeReference.TODAY),
)

SEVERITY_WORDS: tuple[tuple[str, Severity], ...] = (
    (r"\bnot (too |so |that |very |really )?(bad|severe|terrible)\b", Severity.MILD),
    (
        r"\b(severe|terrible|terribly|badly|awful|unbearable|excruciating|horrible|agony|agonizing|worst|"
        r"really bad|very bad|so bad|extremely|dreadful|killing me|really really|a lot)\b",
        Severity.SEVERE,
    ),
    (
        r"\b(moderate|quite|pretty bad|fairly|rather|medium|middling|bad|so so|not great|"
        r"bothering me|in between)\b",
        Severity.MODERATE,
    ),
    (
        r"\b(mild|slight|slightly|little|bit|a touch|manageable|minor|light|faint|a tad|barely)\b",
        Severity.MILD,
    ),
)

_NUMBER_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
}
_SCORE = re.compile(
    r"\b(10|[1-9]|one|two|three|four|five|six|seven|eight|nine|ten)\b(?: (out of|of) (10|ten))?"
)


def first_match(text: str, table: Iterable[tuple[str, str]]) -> str | None:
    """The canonical value of the first pattern in `table` found in `text`."""
    for pattern, value in table:
        if re.search(pattern, text):
            return value
    return None


def find_time(text: str) -> TimeReference | None:
    for pattern, value in TIMES:
        if re.search(pattern, text):
            return value
    return None


def parse_severity(text: str) -> Severity | None:
    """Severity in normalized words ("pretty bad", "mild", "seven out of ten"), if any."""
    for pattern, value in SEVERITY_WORDS:
        if re.search(pattern, text):
            return value
    match = _SCORE.search(text)
    # A bare number counts only as a short answer ("seven"); inside a sentence it is usually
    # a count or a duration ("for 2 days"), so there it needs "out of ten".
    if match is None or (match.group(2) is None and len(text.split()) > 3):
        return None
    token = match.group(1)
    score = int(token) if token.isdigit() else _NUMBER_WORDS[token]
    if score <= 3:
        return Severity.MILD
    if score <= 6:
        return Severity.MODERATE
    return Severity.SEVERE


def _spoken(name: str) -> str:
    """A medication name as a regex body: its words in lower case, any spacing between."""
    return r"\s+".join(re.escape(word) for word in name.lower().split())


def _name_pattern(name: str) -> str | None:
    body = _spoken(name)
    return rf"\b{body}s?\b" if body else None


def find_medication(text: str, known: Sequence[str] = ()) -> str | None:
    """The first medication name in `text`: the patient's own list first, then common names."""
    for name in (*known, *COMMON_MEDICATIONS):
        pattern = _name_pattern(name)
        if pattern is not None and re.search(pattern, text):
            return name
    return None


def as_medicine(text: str, known: Sequence[str] = ()) -> str:
    """`text` with every medication name said as "medicine", so a rule written for "I took my
    medicine" also hears "I took my ramipril" ("the sertraline's gone down")."""
    return _any_name(tuple(known)).sub("medicine", text)


@lru_cache(maxsize=256)
def _any_name(known: tuple[str, ...]) -> re.Pattern[str]:
    # One pass over the text instead of one per name; longer names first, so "vitamin d" is
    # replaced whole before "vitamin" could be. Cached per patient's list of names.
    bodies = {_spoken(name) for name in (*known, *COMMON_MEDICATIONS)} - {""}
    return re.compile(r"\b(" + "|".join(sorted(bodies, key=len, reverse=True)) + r")s?\b")
