"""Finding personal information in free text, rule by rule, so each rule can be measured.

A `Scrubber` holds the rules and returns `Detection`s: the kind, the rule that fired and where.
Structured kinds (emails, URLs, IPs, handles, street addresses, dates of birth, ids after a marker)
are found in privacy/patterns.py, names in privacy/names.py; phone numbers and bare digit runs here,
where the student-id formats live. Overlapping detections are merged, so nothing between two
overlapping finds is left behind. Nothing here opens a file: rosters and the common-words list are
read in readers/ and passed in as a `Roster`. benchmarks/bench_scrubber.py measures recall and
precision per kind on two labelled synthetic corpora.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import phonenumbers

from sro_research.privacy import names as name_rules
from sro_research.privacy import patterns
from sro_research.privacy.names import fold

# Also the order kinds are reported in, and which kind wins where two overlap (the more specific first).
KINDS = ("email", "url", "ip", "handle", "address", "date_of_birth", "id", "phone", "name")
PLACEHOLDERS = {"email": "[email]", "url": "[url]", "ip": "[ip]", "handle": "[handle]", "address": "[address]",
                "date_of_birth": "[date of birth]", "phone": "[phone]", "id": "[id]", "name": "[name]"}
DEFAULT_ID_LENGTHS = (6, 9)  # district student ids: fewest and most digits
DEFAULT_OTHER_ID_LENGTHS = (13,)  # and lengths outside that range: 13-digit state student numbers
# POSSIBLE (right number of digits for the region) rather than VALID: VALID drops 7-digit local
# numbers and the fictional 555 numbers people type as examples; recall matters more than precision.
PHONE_LENIENCY = phonenumbers.Leniency.POSSIBLE
PHONE_REGION = "US"

# --------------------------------------------------------------------------- numbers
# Runs of digit groups joined by one space, dash or dot (with optional spaces around a dash). Not
# after a word character, a decimal point, a comma (1,234,567) or a currency sign.
DIGIT_RUN = re.compile(r"(?<![\w.,$€£/:])\d+(?:(?:[ \t]*-[ \t]*|[ \t]|\.)\d+)*(?![\w])(?![.,/:]\d)")
_YEAR = re.compile(r"(?:19|20)\d\d")


@dataclass(frozen=True)
class Detection:
    kind: str  # one of KINDS
    rule: str  # which rule found it (email_obfuscated, split_number, id_marker, roster_name, kin_name, ...)
    start: int
    end: int


class Roster(list):
    """Names to scrub (a list of roster lines, as read), the common words that, written alone, are
    not taken for a name ("Will", "Hope", "Brown"), and the student-id formats: the range of digits
    a district id has and other lengths (state numbers). A plain list of names works wherever a
    Roster does: no common words, default id formats."""

    def __init__(self, names=(), common_words=(), id_lengths: tuple[int, int] = DEFAULT_ID_LENGTHS,
                 other_id_lengths: tuple[int, ...] = DEFAULT_OTHER_ID_LENGTHS):
        super().__init__(names)
        self.common_words = frozenset(fold(w).strip() for w in common_words)
        self.id_lengths = tuple(id_lengths)
        self.other_id_lengths = tuple(other_id_lengths)


STRUCTURED_FINDERS = {
    "email": patterns.emails, "url": patterns.urls, "ip": patterns.ips, "handle": patterns.handles,
    "address": patterns.addresses, "date_of_birth": patterns.dates_of_birth, "id": patterns.marked_ids,
}
NAME_FINDERS = (name_rules.titled, name_rules.kin, name_rules.self_introduced, name_rules.signed)


class Scrubber:
    """All rules, built once for a roster; `detect` is cheap to call per comment.

    `id_lengths` (fewest, most digits) and `other_id_lengths` are the student-id formats: a digit
    run of those lengths is an id wherever it stands; after a marker ("ID:", "ID no.", "student #")
    any run of 3 or more digits is."""

    def __init__(self, names=(), common_words=(), id_lengths: tuple[int, int] = DEFAULT_ID_LENGTHS,
                 other_id_lengths: tuple[int, ...] = DEFAULT_OTHER_ID_LENGTHS):
        low, high = id_lengths
        if not 1 <= low <= high:
            raise ValueError(f"id_lengths must be (shortest, longest) with 1 <= shortest <= longest, got {id_lengths}")
        self.id_lengths = (low, high)
        self.other_id_lengths = frozenset(int(n) for n in other_id_lengths)
        self.common = frozenset(fold(w).strip() for w in common_words)
        self.roster = name_rules.RosterNames(names, self.common)

    def detect(self, text: str) -> list[Detection]:
        """Every piece of personal information in `text`, sorted, overlaps merged."""
        if not text:
            return []
        found = [Detection(kind, rule, start, end) for kind, finder in STRUCTURED_FINDERS.items()
                 for rule, start, end in finder(text)]
        found += [*self._phones(text), *self._numbers(text)]
        found += [Detection("name", rule, start, end) for finder in (self.roster.find, *NAME_FINDERS)
                  for rule, start, end in finder(text)]
        return _join_names(text, _merge(found))

    def possible_name(self, text: str) -> bool:
        """Whether `text` holds a capitalised word outside the common-word list that no rule took."""
        return name_rules.possible_name(text, self.common)

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
            if digits in self.other_id_lengths and "." not in m.group():
                yield Detection("id", "id", m.start(), m.end())  # 13-digit state numbers, also in groups
            elif len(groups) > 1 and all(len(g) >= 3 for g in groups) and (digits in (7, 10, 11) or lengths == [4, 4]):
                yield Detection("phone", "split_number", m.start(), m.end())  # 555 0123, 4056 7890 ...
            elif len(groups) == 1 and digits == 7 and groups[0][0] not in "01":
                yield Detection("phone", "local_number", m.start(), m.end())
            elif low <= digits <= high and "." not in m.group():
                yield Detection("id", "id", m.start(), m.end())


def _looks_like_date_or_years(groups: list[str], written: str) -> bool:
    """2017-05-12, 10-12-2017, 2016-2017, 2016-17, 9-12: dates, school years and ranges, not ids."""
    lengths = [len(g) for g in groups]
    if len(groups) == 2 and _YEAR.fullmatch(groups[0]) and (_YEAR.fullmatch(groups[1]) or lengths[1] == 2):
        return True
    if len(groups) == 3 and (lengths[0] == 4 and max(lengths[1:]) <= 2 or max(lengths[:2]) <= 2 and lengths[2] in (2, 4)):
        return True
    return all(_YEAR.fullmatch(g) for g in groups)


def _merge(found: list[Detection]) -> list[Detection]:
    """Overlapping detections as one, of the most specific kind (the earlier in KINDS)."""
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
def _cached(names: tuple[str, ...], common: frozenset[str], id_lengths: tuple[int, int],
            other_id_lengths: tuple[int, ...]) -> Scrubber:
    return Scrubber(names, common, id_lengths, other_id_lengths)


def scrubber_for(names, id_lengths: tuple[int, int] | None = None,
                 other_id_lengths: tuple[int, ...] | None = None) -> Scrubber:
    """The Scrubber for a roster (a Roster or plain list of names), built once and reused."""
    common = getattr(names, "common_words", frozenset())
    id_lengths = id_lengths or getattr(names, "id_lengths", DEFAULT_ID_LENGTHS)
    if other_id_lengths is None:
        other_id_lengths = getattr(names, "other_id_lengths", DEFAULT_OTHER_ID_LENGTHS)
    return _cached(tuple(str(n) for n in names or ()), frozenset(common), tuple(id_lengths), tuple(other_id_lengths))


def replace(text: str, detections: list[Detection]) -> str:
    """`text` with each detection replaced by its kind's placeholder."""
    out, position = [], 0
    for d in detections:
        out.append(text[position:d.start])
        out.append(PLACEHOLDERS[d.kind])
        position = d.end
    out.append(text[position:])
    return "".join(out)
