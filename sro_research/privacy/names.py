"""Names in free text: roster names (in any case, accents, with hyphens, apostrophes or parts
dropped), a name after a title (in any case, with or without period or space, two-word titles,
Spanish honorifics), after a kinship word ("my son X"), in a self-introduction ("I'm X") or a
sign-off ("Thanks, X"). Also the "possible name" hint for the review file: capitalised words the
rules did not take, outside the common-word list.

Finders yield (rule, start, end) spans; privacy/scrub.py turns them into Detections.
"""

from __future__ import annotations

import re
import unicodedata

APOSTROPHES = {"\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u2032": "'", "`": "'", "\u00b4": "'"}
# Parts of a surname that are words of their own ("Ricardo de la Cruz", "Al-Hassan"): matched only
# inside the full name, never alone.
PARTICLES = frozenset("de del la las los da das do dos di du van von der den ten ter le el al bin ibn y st".split())

# --------------------------------------------------------------------------- titles
TITLES = (
    "officer", "oficial", "sergeant", "deputy", "detective", "lieutenant", "captain", "chief", "miss", "mister",
    "missus", "madam", "doctor", "coach", "principal", "assistant principal", "vice principal", "dean",
    "counselor", "counsellor", "nurse", "professor", "teacher", "superintendent", "sro", "pastor", "imam",
    "auntie", "uncle", "señora", "señor", "señorita", "senora", "senor", "senorita", "doña", "don", "maestra",
    "maestro", "profe", "profesor", "profesora", "director", "directora", "consejera", "consejero",
)
ABBREVIATED_TITLES = ("mr", "mrs", "ms", "mx", "dr", "dra", "ofc", "ofcr", "sgt", "det", "dep", "lt",
                      "capt", "cpl", "prof", "rev", "sr", "sra", "srta", "asst", "supt")
_FULL = "|".join(t.replace(" ", r"\s+") for t in sorted(TITLES, key=len, reverse=True))
_ABBR = "|".join(sorted(ABBREVIATED_TITLES, key=len, reverse=True))
# One title, or several ("Assistant Principal Dr."); an abbreviation may run into the name ("Mrs.Olson").
_ONE_TITLE = rf"(?:(?:{_FULL})\s+|(?:{_ABBR})(?:\.\s*|\s+))"
_NAME_WORD = r"[^\W\d_][\w'\u2019-]*"
TITLED = re.compile(rf"(?<![\w.])(?i:(?P<titles>{_ONE_TITLE}+))(?P<first>{_NAME_WORD})(?:[ \t]+(?P<second>{_NAME_WORD}))?"
                    # "MsHoang", "MrKowal": the title run into a capitalised name
                    rf"|(?<![\w.])(?P<glued>Mrs|Mr|Ms|Dr)(?P<gluedname>[A-Z][a-z][\w'\u2019-]*)")
# Words that follow a title, a kinship word or "I'm" without being a name.
NOT_NAMES = frozenset(
    "i a an the and or but so of in on at to for from with is was are were be been who whom that this "
    "these those he she they we you it my our their his her him them said says told because when if "
    "not no yes do did does has have had all any some every also just really always never still only "
    "will would can could should may might must shall am being here there then than too very "
    "now today yesterday always again ever even about after before over under into out up down off "
    "who's he's she's it's i'm don't doesn't didn't isn't wasn't can't won't "
    "y el la los las es está esta estaba fue era tiene tenía va iba no sí que de en con por para "
    "office staff team investigator investigators department program programs position role "
    # what follows "SRO" when it is a noun, not a title: "the SRO question", "SRO PROGRAM"
    "question questions issue issues contract contracts presence policy policies model debate survey "
    "officer officers vote decision funding budget".split()
)
# Titles that are no ordinary noun: a lower-case word after them is a name too ("mister lund").
HONORIFICS = frozenset("mister missus señora señor señorita senora senor senorita doña".split())
# Public names that follow a title and are no one's personal information.
EPONYMS = ("martin luther king",)

# --------------------------------------------------------------------------- kinship, self-introduction, sign-off
_KIN_WORDS = ("son daughter child kid grandson granddaughter grandchild boy girl nephew niece stepson "
              "stepdaughter foster\\s+son foster\\s+daughter hijo hija nieto nieta niño niña sobrino sobrina")
KIN = re.compile(rf"\b(?i:my|our|mi|mis|nuestro|nuestra)\s+(?i:{'|'.join(_KIN_WORDS.split())}),?\s+"
                 rf"(?P<first>{_NAME_WORD})(?:[ \t]+(?P<second>{_NAME_WORD}))?")
# Verbs and words that follow "my son" in ordinary sentences; a lower-case word after a kinship
# word that is none of these is taken for a name ("my son mateo").
KIN_NOT_NAMES = NOT_NAMES | frozenset(
    "goes went go gets got get feels felt loves loved likes liked hates hated needs needed wants wanted "
    "attends attended plays played came comes come started starts tells asked asks saw sees knows knew "
    "thinks thought says walks walked takes took left leaves told stayed graduated transferred turned "
    "turns became becomes tried tries missed misses learned ran runs cried cries called calls heard hears "
    "being getting going having doing birthday friend friends school class teacher teachers bus grade "
    "who's has had was is and or but also too now recently currently once "
    "dob d b birthdate born age aged id".split()
)
# After a kinship word a lower-case name is followed by a verb or punctuation ("my son mateo was"):
# "my son birthday is" is not, as "birthday" is on the list above.
KIN_LOWER_FOLLOWERS = re.compile(r"\s*(?:[,.;:!?()]|$|(?i:is|was|has|had|says|said|and|who|loves|got|gets|"
                                 r"goes|went|feels|felt|told|came|just|also|likes|wants|needs)\b)")
# "I'm X": not a name when X is one of these (a people, a faith, a state of mind written with a capital).
SELF_NOT_NAMES = NOT_NAMES | frozenset(
    "black white brown latino latina latinx hispanic somali hmong karen oromo native asian african american "
    "mexican muslim christian catholic jewish indigenous ojibwe dakota lakota vietnamese korean chinese "
    "a parent mom dad mother father grandmother grandfather teacher student guardian resident concerned "
    "worried tired sorry sure glad happy sad angry upset scared afraid writing here not so very really "
    "ridiculous important unacceptable great good bad wrong true".split()
)
SELF = re.compile(rf"(?:\b(?i:my\s+name\s+is|my\s+name's|me\s+llamo|mi\s+nombre\s+es)\s+|\b(?i:i'?m|i\s+am|soy)\s+"
                  rf"|(?:^|(?<=[.!?,:]\s)|(?<=\n))(?i:this\s+is)\s+)"
                  rf"(?P<first>{_NAME_WORD})(?:[ \t]+(?P<second>{_NAME_WORD}))?")
_SIGN_WORDS = ("thanks|thank\\s+you|thx|sincerely|regards|best\\s+regards|best|cheers|respectfully|warmly|"
               "gracias|saludos|atentamente|cordialmente")
_SIGNED_NAME = r"(?P<name>(?:[^\W\d_]\.\s?)?[^\W\d_][\w'\u2019-]*(?:[ \t]+[^\W\d_][\w'\u2019.-]*)?)"
SIGN_OFF = re.compile(
    rf"(?:(?:^|(?<=[\s.!?]))(?i:{_SIGN_WORDS})\s*[,.!:]?\s*|(?:^|(?<=\s))(?:\u2014|\u2013|--|-|~)\s*)"
    # the end of the comment or of its line, or contact details after it ("Thanks, Luis / 612-...")
    rf"{_SIGNED_NAME}\s*(?:[.!]*\s*$|\n|[/|]|(?=\s+(?:or|also|and)\s))"
)
SIGN_NOT_NAMES = NOT_NAMES | frozenset(
    "everyone everybody all parent parents mom dad mother father family anonymous concerned resident "
    "neighbor taxpayer teacher student staff alum guardian grandparent again you".split()
)

TOKEN = re.compile(r"[^\W\d_]+(?:['-][^\W\d_]+)*'?")  # letters only: "bergström5" holds the name "bergström"
SENTENCE_END = re.compile(r"(?:^|[.!?:;\n\"(\u2014\u2013-])\s*$")


def fold(text: str) -> str:
    """`text` as names are compared: accents dropped, case folded, curly apostrophes straightened."""
    return fold_with_origin(text)[0]


def fold_with_origin(text: str) -> tuple[str, list[int]]:
    """The folded text and, for each of its characters, the index of the character it came from."""
    chars, origin = [], []
    for index, char in enumerate(text):
        char = APOSTROPHES.get(char, char)
        base = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c)).casefold()
        for c in base:
            chars.append(c)
            origin.append(index)
    return "".join(chars), origin


def roster_parts(line: str) -> list[str]:
    """A roster line's name parts in first-to-last order: 'Okonkwo, Chidi' -> ['chidi', 'okonkwo']."""
    line = fold(" ".join(line.split()))
    if "," in line:
        last, _, first = line.partition(",")
        line = f"{first} {last}"
    return [p.strip(".") for p in line.split() if p.strip(".")]


def variants(token: str) -> set[str]:
    """Spellings of one name part: as listed, and without its apostrophes or hyphens (O'Brien, OBrien)."""
    return {token, token.replace("'", ""), token.replace("-", "")}


class RosterNames:
    """A roster's names as the finder looks them up, built once."""

    def __init__(self, names, common: frozenset[str]):
        self.any_case: set[str] = set()  # name parts matched however written
        self.capitalised: set[str] = set()  # one-word roster entries that are common words
        self.full_names: dict[str, list[tuple[str, ...]]] = {}  # first token -> token sequences
        for line in names:
            parts = roster_parts(str(line))
            if not parts:
                continue
            # "Garcia-Lopez" is also written "Garcia Lopez", "Lopez" or "Garcia"
            pieces = [p for part in parts for p in ([part] + part.split("-") if "-" in part else [part])]
            # "Al Hassan" for "Al-Hassan", "Garcia Lopez" for "Garcia-Lopez"
            runs = {tuple(p.split("-")) for p in parts if "-" in p}
            if len(parts) > 1:
                # Last, First; First Last; any run of two or more parts ("Pa Nhia" of "Pa Nhia Thao");
                # any two parts with those between dropped ("Maria Garcia-Lopez" of "Maria Elena Garcia-Lopez")
                runs |= {tuple(parts[i:j]) for i in range(len(parts)) for j in range(i + 2, len(parts) + 1)}
                runs |= {(parts[i], parts[j]) for i in range(len(parts)) for j in range(i + 1, len(parts))}
                runs |= {(parts[-1], *parts[:-1])}
                if "-" in parts[-1]:
                    runs.add((*parts[:-1], *parts[-1].split("-")))
            for sequence in runs:
                if not all(p in PARTICLES for p in sequence):
                    self.full_names.setdefault(sequence[0], []).append(sequence)
            for part in pieces:
                if len(part) < 2 or part in PARTICLES:  # an initial, "de", "al"
                    continue
                target = self.any_case if part not in common else (self.capitalised if len(parts) == 1 else None)
                if target is not None:
                    target.update(variants(part))

    def find(self, text: str):
        folded, origin = fold_with_origin(text)
        tokens = [(m.group(), m.start(), m.end()) for m in TOKEN.finditer(folded)]
        for i, (word, start, _end) in enumerate(tokens):
            base = word[:-2] if word.endswith("'s") else word.rstrip("'")
            stop = start + len(base)
            for sequence in self.full_names.get(base, ()):  # full names first: they cover common-word parts
                last = _match_sequence(tokens, i, sequence, folded)
                if last is not None:
                    yield "roster_name", origin[start], origin[last - 1] + 1
            if base in self.any_case or (base.endswith("s") and base[:-1] in self.any_case and len(base) > 4):
                yield "roster_name", origin[start], origin[stop - 1] + 1
            elif base in self.capitalised:
                first = origin[start]
                if text[first].isupper() and not SENTENCE_END.search(text[:first]):
                    yield "roster_name", first, origin[stop - 1] + 1


def _match_sequence(tokens, i, sequence, folded) -> int | None:
    """End offset (folded text) when tokens from i on spell `sequence`, separated only by spaces,
    line breaks or a comma; None otherwise. The last part may carry a possessive."""
    if i + len(sequence) > len(tokens):
        return None
    end = None
    for k, part in enumerate(sequence):
        word, start, stop = tokens[i + k]
        if k:
            gap = folded[tokens[i + k - 1][2]:start]
            if not re.fullmatch(r"[\s,]*", gap) or gap.count(",") > 1:
                return None
        base = word[:-2] if word.endswith("'s") else word.rstrip("'")
        if base not in variants(part):
            return None
        end = start + len(base)
    return end


def _bare(word: str) -> str:
    """A word without its possessive or trailing apostrophe or hyphen: "Mateo's" -> "Mateo"."""
    straight = "".join(APOSTROPHES.get(c, c) for c in word)
    return word[:-2] if straight.casefold().endswith("'s") else word.rstrip("'\u2019-")


def _name_span(m: re.Match, stop: frozenset[str], lower_ok: bool):
    """The span of the name after a cue: the first word (and a second, capitalised one), or None."""
    first = _bare(m.group("first"))
    if first.casefold() in stop or not (first[0].isupper() or lower_ok):
        return None
    end = m.start("first") + len(first)
    second = m.group("second")
    if second and second[0].isupper() and _bare(second).casefold() not in stop:
        end = m.start("second") + len(_bare(second))
    return m.start("first"), end


def titled(text: str):
    for m in TITLED.finditer(text):
        if m.group("glued"):
            yield "titled_name", m.start("gluedname"), m.start("gluedname") + len(_bare(m.group("gluedname")))
            continue
        after = text[m.start("first"):].casefold()
        if any(after.startswith(e) for e in EPONYMS):
            continue
        # A lower-case name only after an abbreviation with its period ("ofcr. smith"), never after
        # a word that is also a noun ("the officer said").
        titles = m.group("titles").rstrip()
        lower_ok = titles.endswith(".") or titles.split()[-1].casefold() in HONORIFICS
        span = _name_span(m, NOT_NAMES, lower_ok)
        if span:
            yield "titled_name", *span


def kin(text: str):
    for m in KIN.finditer(text):
        lower_ok = bool(KIN_LOWER_FOLLOWERS.match(text, m.end("first")))
        span = _name_span(m, KIN_NOT_NAMES, lower_ok=lower_ok)
        if span:
            yield "kin_name", *span


def self_introduced(text: str):
    for m in SELF.finditer(text):
        said_name = m.group().casefold().startswith(("my name", "me llamo", "mi nombre"))
        span = _name_span(m, SELF_NOT_NAMES, lower_ok=said_name)
        if span:
            yield "self_name", *span


def signed(text: str):
    for m in SIGN_OFF.finditer(text):
        words = m.group("name").split()
        if words[0][0].isupper() and not any(w.casefold().strip(".") in SIGN_NOT_NAMES for w in words):
            yield "signoff_name", m.start("name"), m.start("name") + len(m.group("name").rstrip("."))


# --------------------------------------------------------------------------- the review hint
CAPITALISED = re.compile(r"(?<![\w'\u2019])[^\W\d_][^\W\d_'\u2019-]*(?:['\u2019-][^\W\d_]+)*")
ORDINARY_CAPITALS = frozenset(
    "i i'm i've i'd i'll monday tuesday wednesday thursday friday saturday sunday january february march april "
    "may june july august september october november december english spanish".split()
)


def possible_name(text: str, common: frozenset[str]) -> bool:
    """Whether `text` holds a capitalised word, not starting a sentence, that is neither on the
    common-word list nor an acronym: a name no rule knew, for the reviewer to look at."""
    for m in CAPITALISED.finditer(text):
        word = m.group()
        if not word[0].isupper() or (word.isupper() and len(word) > 1):  # lower case, or SRO, IEP
            continue
        if SENTENCE_END.search(text[:m.start()]):
            continue
        folded = fold(_bare(word))
        if folded in common or folded in ORDINARY_CAPITALS or folded in NOT_NAMES:
            continue
        return True
    return False
