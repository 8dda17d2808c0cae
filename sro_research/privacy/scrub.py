"""Finding personal information in free text, rule by rule, so each rule can be measured.

A `Scrubber` holds the rules (emails, phone numbers, ids, roster names, a title followed by a
capitalised word) and returns `Detection`s: the kind, the rule that fired and where. Overlapping
detections are merged, so nothing between two overlapping finds is left behind. Nothing here opens
a file: rosters and the common-words list are read in readers/ and passed in as a `Roster`.
benchmarks/bench_scrubber.py measures recall and precision per kind on a labelled synthetic corpus.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import phonenumbers

KINDS = ("email", "phone", "id", "name")  # also the order kinds are reported in
PLACEHOLDERS = {"email": "[email]", "phone": "[phone]", "id": "[id]", "name": "[name]"}
DEFAULT_ID_LENGTHS = (6, 9)  # MPS-style student ids are 6-9 digits
# POSSIBLE (right number of digits for the region) rather than VALID: VALID drops 7-digit local
# numbers and the fictional 555 numbers people type as examples; recall matters more than precision.
PHONE_LENIENCY = phonenumbers.Leniency.POSSIBLE
PHONE_REGION = "US"

APOSTROPHES = {"\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u2032": "'", "`": "'", "\u00b4": "'"}

# --------------------------------------------------------------------------- emails
# Letters of any alphabet: "zoë.bergström@mail.com" is an address too.
_LOCAL = r"[^\W_][\w.%+-]*"
_LABEL = r"[^\W_](?:[\w-]{0,61}[^\W_])?"
_AT_WORD = r"(?:\s*[\[\(\{<]\s*at\s*[\]\)\}>]\s*|\s+at\s+)"
_DOT_WORD = r"(?:\s*[\[\(\{<]\s*dot\s*[\]\)\}>]\s*|\s+dot\s+)"
_AT = rf"(?:\s*@\s*|{_AT_WORD})"
_DOT = rf"(?:\s?\.\s?|{_DOT_WORD})"
_TLDS = r"(?:com|org|net|edu|gov|us|io|info|biz|co|me|mil|ca|uk|mx|so|ke|et|us)"
_PROVIDERS = r"(?:gmail|yahoo|hotmail|outlook|aol|icloud|comcast|msn|live|protonmail|proton|ymail|mail)"
EMAIL_PLAIN = re.compile(rf"(?<![\w.+-]){_LOCAL}@{_LABEL}(?:\.{_LABEL})+(?![\w-])", re.IGNORECASE)
# Written out to dodge scrapers: "jane at yahoo dot com", "jane [at] hotmail [dot] com", "jane @ mail . org".
EMAIL_OBFUSCATED = re.compile(
    rf"(?<![\w.+-])[^\W_][\w%+-]*(?:{_DOT}[\w%+-]+)*{_AT}{_LABEL}(?:{_DOT}{_LABEL})*?{_DOT}{_TLDS}(?![\w])",
    re.IGNORECASE,
)
# "jsmith at gmail": a known provider without the ending.
EMAIL_PROVIDER = re.compile(rf"(?<![\w.+-])[^\W_][\w.%+-]*{_AT}{_PROVIDERS}(?![\w])", re.IGNORECASE)

# --------------------------------------------------------------------------- numbers
# Runs of digit groups joined by one space, dash or dot (with optional spaces around a dash). Not
# after a word character, a decimal point, a comma (1,234,567) or a currency sign.
DIGIT_RUN = re.compile(r"(?<![\w.,$€£/:])\d+(?:(?:[ \t]*-[ \t]*|[ \t]|\.)\d+)*(?![\w])(?![.,/:]\d)")
_YEAR = re.compile(r"(?:19|20)\d\d")

# --------------------------------------------------------------------------- titles
TITLES = (
    "officer", "sergeant", "deputy", "detective", "lieutenant", "captain", "chief", "miss", "doctor", "coach",
    "principal", "assistant principal", "vice principal", "dean", "counselor", "counsellor", "nurse",
    "professor", "teacher", "superintendent", "sro", "pastor", "imam", "auntie", "uncle",
)
ABBREVIATED_TITLES = ("mr", "mrs", "ms", "mx", "dr", "ofc", "sgt", "det", "lt", "capt", "prof", "rev")  # "Ms." or "Ms"
_TITLE = "|".join(
    [t.replace(" ", r"\s+") for t in sorted(TITLES, key=len, reverse=True)]
    + [rf"{t}\.?" for t in sorted(ABBREVIATED_TITLES, key=len, reverse=True)]
)
TITLED = re.compile(rf"(?<![\w])(?i:{_TITLE})\s+([^\W\d_][\w'\u2019-]*)(?:[ \t]+([^\W\d_][\w'\u2019-]*))?")
# Capitalised words that follow a title without being a name ("Officer The ..." never happens, but
# "Ms. I don't know" and "Principal And staff" do).
NOT_NAMES = frozenset(
    "i a an the and or but so of in on at to for from with is was are were be been who whom that this "
    "these those he she they we you it my our their his her him them said says told because when if "
    "not no yes do did does has have had all any some every also".split()
)

TOKEN = re.compile(r"[^\W\d_]+(?:['-][^\W\d_]+)*'?")  # letters only: "bergström5" holds the name "bergström"
SENTENCE_END = re.compile(r"(?:^|[.!?:;\n\"(])\s*$")


@dataclass(frozen=True)
class Detection:
    kind: str  # email, phone, id or name
    rule: str  # which rule found it (email, email_obfuscated, phone, split_number, id, roster_name, titled_name)
    start: int
    end: int


class Roster(list):
    """Names to scrub (a list of roster lines, as read), the common words that, written alone, are
    not taken for a name ("Will", "Hope", "Brown"), and how many digits a student id has. A plain
    list of names works wherever a Roster does: no common words, default id lengths."""

    def __init__(self, names=(), common_words=(), id_lengths: tuple[int, int] = DEFAULT_ID_LENGTHS):
        super().__init__(names)
        self.common_words = frozenset(fold(w).strip() for w in common_words)
        self.id_lengths = tuple(id_lengths)


def fold(text: str) -> str:
    """`text` as names are compared: accents dropped, case folded, curly apostrophes straightened."""
    return _fold_with_origin(text)[0]


def _fold_with_origin(text: str) -> tuple[str, list[int]]:
    """The folded text and, for each of its characters, the index of the character it came from."""
    chars, origin = [], []
    for index, char in enumerate(text):
        char = APOSTROPHES.get(char, char)
        base = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c)).casefold()
        for c in base:
            chars.append(c)
            origin.append(index)
    return "".join(chars), origin


def _roster_parts(line: str) -> list[str]:
    """A roster line's name parts in first-to-last order: 'Okonkwo, Chidi' -> ['chidi', 'okonkwo']."""
    line = fold(" ".join(line.split()))
    if "," in line:
        last, _, first = line.partition(",")
        line = f"{first} {last}"
    return [p.strip(".") for p in line.split() if p.strip(".")]


def _variants(token: str) -> set[str]:
    """Spellings of one name part: as listed, and without its apostrophes or hyphens (O'Brien, OBrien)."""
    return {token, token.replace("'", ""), token.replace("-", "")}


class Scrubber:
    """All rules, built once for a roster; `detect` is cheap to call per comment."""

    def __init__(self, names=(), common_words=(), id_lengths: tuple[int, int] = DEFAULT_ID_LENGTHS):
        low, high = id_lengths
        if not 1 <= low <= high:
            raise ValueError(f"id_lengths must be (shortest, longest) with 1 <= shortest <= longest, got {id_lengths}")
        self.id_lengths = (low, high)
        common = frozenset(fold(w).strip() for w in common_words)
        self.any_case: set[str] = set()  # name parts matched however written
        self.capitalised: set[str] = set()  # one-word roster entries that are common words
        self.full_names: dict[str, list[tuple[str, ...]]] = {}  # first token -> token sequences
        for line in names:
            parts = _roster_parts(str(line))
            if not parts:
                continue
            if len(parts) > 1:
                # Last, First; First Last; and any run of two or more parts ("Pa Nhia" of "Pa Nhia Thao")
                runs = {tuple(parts[i:j]) for i in range(len(parts)) for j in range(i + 2, len(parts) + 1)}
                for sequence in runs | {(parts[-1], *parts[:-1])}:
                    self.full_names.setdefault(sequence[0], []).append(sequence)
            for part in parts:
                if len(part) < 2:  # an initial
                    continue
                target = self.any_case if part not in common else (self.capitalised if len(parts) == 1 else None)
                if target is not None:
                    target.update(_variants(part))

    # ------------------------------------------------------------------ rules

    def detect(self, text: str) -> list[Detection]:
        """Every piece of personal information in `text`, sorted, overlaps merged."""
        if not text:
            return []
        found = [*self._emails(text), *self._phones(text), *self._numbers(text),
                 *self._names(text), *self._titled(text)]
        return _join_names(text, _merge(found))

    def _emails(self, text):
        for rule, pattern in (("email", EMAIL_PLAIN), ("email_obfuscated", EMAIL_OBFUSCATED),
                              ("email_obfuscated", EMAIL_PROVIDER)):
            for m in pattern.finditer(text):
                written = m.group()
                if rule != "email" and _plain_sentence(written):
                    continue
                yield Detection("email", rule, m.start(), m.end())

    def _phones(self, text):
        for match in phonenumbers.PhoneNumberMatcher(text, PHONE_REGION, leniency=PHONE_LENIENCY):
            if re.search(r"(?:\d[.,]|[$€£])$", text[:match.start]):  # the decimals of 0.1234567, $ amounts
                continue
            start = match.start + (match.raw_string.startswith("(") and ")" not in match.raw_string)  # "(612-555-0143)"
            yield Detection("phone", "phone", start, match.end)

    def _numbers(self, text):
        low, high = self.id_lengths
        for m in DIGIT_RUN.finditer(text):
            groups = re.findall(r"\d+", m.group())
            lengths = [len(g) for g in groups]
            digits = sum(lengths)
            if _looks_like_date_or_years(groups, m.group()):
                continue
            if len(groups) > 1 and all(len(g) >= 3 for g in groups) and (digits in (7, 10, 11) or lengths == [4, 4]):
                yield Detection("phone", "split_number", m.start(), m.end())  # 555 0123, 4056 7890 ...
            elif len(groups) == 1 and digits == 7 and groups[0][0] not in "01":
                yield Detection("phone", "local_number", m.start(), m.end())
            elif low <= digits <= high and "." not in m.group():
                yield Detection("id", "id", m.start(), m.end())

    def _names(self, text):
        folded, origin = _fold_with_origin(text)
        tokens = [(m.group(), m.start(), m.end()) for m in TOKEN.finditer(folded)]
        for i, (word, start, _end) in enumerate(tokens):
            base = word[:-2] if word.endswith("'s") else word.rstrip("'")
            stop = start + len(base)
            for sequence in self.full_names.get(base, ()):  # full names first: they cover common-word parts
                last = _match_sequence(tokens, i, sequence, folded)
                if last is not None:
                    yield Detection("name", "roster_name", origin[start], origin[last - 1] + 1)
            if base in self.any_case or (base.endswith("s") and base[:-1] in self.any_case and len(base) > 4):
                yield Detection("name", "roster_name", origin[start], origin[stop - 1] + 1)
            elif base in self.capitalised:
                first = origin[start]
                if text[first].isupper() and not SENTENCE_END.search(text[:first]):
                    yield Detection("name", "roster_name", first, origin[stop - 1] + 1)

    def _titled(self, text):
        for m in TITLED.finditer(text):
            first, second = m.group(1), m.group(2)
            if not first[0].isupper() or first.casefold() in NOT_NAMES:
                continue
            end = m.end(1)
            if second and second[0].isupper() and second.casefold() not in NOT_NAMES:
                end = m.end(2)
            yield Detection("name", "titled_name", m.start(1), end)


def _plain_sentence(written: str) -> bool:
    """'was at school. Com...': the word "at" and a full stop between words, no @ or brackets."""
    return "@" not in written and not re.search(r"[\[\(\{<]|\bdot\b", written, re.IGNORECASE) \
        and bool(re.search(r"\s\.|\.\s", written))


def _looks_like_date_or_years(groups: list[str], written: str) -> bool:
    """2017-05-12, 10-12-2017, 2016-2017, 2016-17, 9-12: dates, school years and ranges, not ids."""
    lengths = [len(g) for g in groups]
    if len(groups) == 2 and _YEAR.fullmatch(groups[0]) and (_YEAR.fullmatch(groups[1]) or lengths[1] == 2):
        return True
    if len(groups) == 3 and (lengths[0] == 4 and max(lengths[1:]) <= 2 or max(lengths[:2]) <= 2 and lengths[2] in (2, 4)):
        return True
    return all(_YEAR.fullmatch(g) for g in groups)


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
        if base not in _variants(part):
            return None
        end = start + len(base)
    return end


def _merge(found: list[Detection]) -> list[Detection]:
    """Overlapping detections as one, of the most specific kind (email > phone > id > name)."""
    merged: list[Detection] = []
    for d in sorted(found, key=lambda d: (d.start, -d.end)):
        if merged and d.start < merged[-1].end:
            last = merged[-1]
            keep = last if KINDS.index(last.kind) <= KINDS.index(d.kind) else d
            merged[-1] = Detection(keep.kind, keep.rule, last.start, max(last.end, d.end))
        else:
            merged.append(d)
    return merged


def _join_names(text: str, found: list[Detection]) -> list[Detection]:
    """Names next to each other, apart only by spaces or a line break, as one: "[name]", not
    "[name] [name]", so the page does not even show how many parts a name had."""
    joined: list[Detection] = []
    for d in found:
        last = joined[-1] if joined else None
        if last and last.kind == d.kind == "name" and not text[last.end:d.start].strip():
            joined[-1] = Detection("name", last.rule, last.start, d.end)
        else:
            joined.append(d)
    return joined


@lru_cache(maxsize=16)
def _cached(names: tuple[str, ...], common: frozenset[str], id_lengths: tuple[int, int]) -> Scrubber:
    return Scrubber(names, common, id_lengths)


def scrubber_for(names, id_lengths: tuple[int, int] | None = None) -> Scrubber:
    """The Scrubber for a roster (a Roster or plain list of names), built once and reused."""
    common = getattr(names, "common_words", frozenset())
    id_lengths = id_lengths or getattr(names, "id_lengths", DEFAULT_ID_LENGTHS)
    return _cached(tuple(str(n) for n in names or ()), frozenset(common), tuple(id_lengths))


def replace(text: str, detections: list[Detection]) -> str:
    """`text` with each detection replaced by its kind's placeholder."""
    out, position = [], 0
    for d in detections:
        out.append(text[position:d.start])
        out.append(PLACEHOLDERS[d.kind])
        position = d.end
    out.append(text[position:])
    return "".join(out)
