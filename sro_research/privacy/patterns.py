"""Structured personal information in free text: emails (also written out), URLs, IP addresses,
social handles, street addresses, dates of birth and ids introduced by a marker ("ID:", "#", "no.").

Each finder yields (rule, start, end) spans for one kind; privacy/scrub.py turns them into
Detections and merges them. Phone numbers and bare digit runs stay in scrub.py, where the id
lengths live. Regexes rather than presidio-analyzer's recognizers: measured in
benchmarks/bench_scrubber.py --presidio (its URL recognizer also fetches a suffix list online, and
importing it costs seconds).
"""

from __future__ import annotations

import ipaddress
import re

# --------------------------------------------------------------------------- emails
# Letters of any alphabet: "zoë.bergström@mail.com" is an address too.
_LOCAL = r"[^\W_][\w.%+-]*"
_LABEL = r"[^\W_](?:[\w-]{0,61}[^\W_])?"
_OPEN, _CLOSE = r"[\[\(\{<]", r"[\]\)\}>]"
_AT_WORD = rf"(?:\s*{_OPEN}\s*(?:at|@)\s*{_CLOSE}\s*|\s+at\s+)"  # "at", "[at]", "[@]"
_DOT_WORD = rf"(?:\s*{_OPEN}\s*dot\s*{_CLOSE}\s*|\s+dot\s+)"
_AT = rf"(?:\s*@\s*|{_AT_WORD})"
_DOT = rf"(?:\s?\.\s?|{_DOT_WORD})"
_TLDS = r"(?:com|org|net|edu|gov|us|io|info|biz|co|me|mil|ca|uk|mx|so|ke|et|fm|tv|app|dev)"
_PROVIDERS = r"(?:gmail|yahoo|hotmail|outlook|aol|icloud|comcast|msn|live|protonmail|proton|ymail|mail|gmx)"
EMAIL_PLAIN = re.compile(rf"(?<![\w.+-]){_LOCAL}@{_LABEL}(?:\.{_LABEL})+(?![\w-])", re.IGNORECASE)
# Written out to dodge scrapers: "jane at yahoo dot com", "jane [at] hotmail [dot] com", "jane @ mail . org".
EMAIL_OBFUSCATED = re.compile(
    rf"(?<![\w.+-])[^\W_][\w%+-]*(?:{_DOT}[\w%+-]+)*{_AT}{_LABEL}(?:{_DOT}{_LABEL})*?{_DOT}{_TLDS}(?![\w])",
    re.IGNORECASE,
)
# "at" and "dot" both spelled out or bracketed: any ending ("j dot doe AT gmx DOT net").
EMAIL_SPELLED = re.compile(
    rf"(?<![\w.+-])[^\W_][\w%+-]*(?:(?:{_DOT_WORD}|\.)[\w%+-]+)*{_AT_WORD}{_LABEL}(?:{_DOT_WORD}{_LABEL})+(?![\w])",
    re.IGNORECASE,
)
# "jsmith at gmail": a known provider without the ending.
EMAIL_PROVIDER = re.compile(rf"(?<![\w.+-])[^\W_][\w.%+-]*{_AT}{_PROVIDERS}(?![\w])", re.IGNORECASE)


def _plain_sentence(written: str) -> bool:
    """'was at school. Com...': the word "at" and a full stop between words, no @ or brackets."""
    return "@" not in written and not re.search(r"[\[\(\{<]|\bdot\b", written, re.IGNORECASE) \
        and bool(re.search(r"\s\.|\.\s", written))


def emails(text: str):
    for rule, pattern in (("email", EMAIL_PLAIN), ("email_obfuscated", EMAIL_OBFUSCATED),
                          ("email_obfuscated", EMAIL_SPELLED), ("email_obfuscated", EMAIL_PROVIDER)):
        for m in pattern.finditer(text):
            if rule != "email" and _plain_sentence(m.group()):
                continue
            yield rule, m.start(), m.end()


# --------------------------------------------------------------------------- URLs
_URL_TLDS = r"(?:com|org|net|edu|gov|us|io|info|biz|co|me|ly|gl|tv|fm|app|dev|to|be|link|page|site|social|ca|uk|mx)"
_TRAILING = ".,;:!?)]}>'\"\u2019\u201d"
URL = re.compile(
    r"(?<![\w@.-])(?:(?:https?|ftp)://|www\.)[^\s<>\"]+"  # with a scheme or www.
    rf"|(?<![\w@./-])(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+{_URL_TLDS}(?![\w-])(?:/[^\s<>\"]*)?",  # bit.ly/x, fb.com
    re.IGNORECASE,
)


def urls(text: str):
    for m in URL.finditer(text):
        end = m.end()
        while end > m.start() and text[end - 1] in _TRAILING:  # "see x.com/y." ends at y
            end -= 1
        if end - m.start() > 4:
            yield "url", m.start(), end


# --------------------------------------------------------------------------- IP addresses
_OCTET = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
IPV4 = re.compile(rf"(?<![\w.]){_OCTET}(?:\.{_OCTET}){{3}}(?![\w]|\.\d)")
IPV6_CANDIDATE = re.compile(r"(?<![\w:])[0-9a-f]{0,4}(?::[0-9a-f]{0,4}){2,7}(?![\w:])", re.IGNORECASE)


def ips(text: str):
    for m in IPV4.finditer(text):
        yield "ipv4", m.start(), m.end()
    for m in IPV6_CANDIDATE.finditer(text):
        try:
            ipaddress.IPv6Address(m.group())
        except ValueError:  # 10:30:00 is a time, not an address
            continue
        yield "ipv6", m.start(), m.end()


# --------------------------------------------------------------------------- social handles
HANDLE = re.compile(r"(?<![\w@.])@[^\W\d][\w.]{0,29}[\w]|(?<![\w@.])@[^\W\d]\b")


def handles(text: str):
    for m in HANDLE.finditer(text):
        yield "handle", m.start(), m.end()


# --------------------------------------------------------------------------- street addresses
_SUFFIXES = ("street st avenue ave av boulevard blvd road rd drive dr lane ln court ct place pl parkway pkwy way "
             "terrace ter circle cir trail trl highway hwy alley aly square sq crossing xing calle").split()
_DIRECTION = r"(?:north|south|east|west|n|s|e|w|ne|nw|se|sw)\.?"
# Words that cannot be part of a street's name: "call 911 on the way", "3 kids and the court".
STREET_STOP = frozenset(
    "a an the and or of on in at to for from by with my our his her their this that is was are kids students "
    "people times days years minutes hours blocks miles dollars percent grade grades room".split()
)
_STREET_WORD = r"(?:[^\W\d_][\w'.-]*|\d+(?:st|nd|rd|th))"
ADDRESS = re.compile(
    r"(?<![\w#$.,/:-])\d{1,6}\s+(?:highway|hwy|county\s+road|route|rte)\s+\d{1,3}\b"  # 4512 Hwy 55
    rf"|(?<![\w#$.,/:-])\d{{1,6}}(?:-?[a-z])?\s+(?:{_DIRECTION}\s+)?"
    rf"(?P<words>(?:{_STREET_WORD}\s+){{0,3}}?)"
    rf"(?P<suffix>{'|'.join(_SUFFIXES)})\b\.?"
    rf"(?:\s+{_DIRECTION}(?![\w]))?"
    r"(?:,?\s*(?:apt|apartment|unit|suite|ste|#)\.?\s*#?\s*\w{1,5})?",
    re.IGNORECASE,
)


def addresses(text: str):
    for m in ADDRESS.finditer(text):
        words = (m.group("words") or "").split() if m.groupdict().get("suffix") else []
        if any(w.casefold().strip(".") in STREET_STOP for w in words):
            continue
        if m.groupdict().get("suffix") and not words and not re.match(r"\d+\s+" + _DIRECTION + r"\s", m.group(),
                                                                     re.IGNORECASE):
            continue  # "300 st" alone is not a street
        yield "address", m.start(), m.end()


# --------------------------------------------------------------------------- dates of birth
_MONTHS = ("january february march april may june july august september october november december "
           "jan feb mar apr jun jul aug sep sept oct nov dec "
           "enero febrero marzo abril mayo junio julio agosto septiembre setiembre octubre noviembre diciembre "
           "ene abr ago dic").split()
_MONTH = rf"(?:{'|'.join(sorted(_MONTHS, key=len, reverse=True))})\.?"
_DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
_YEAR = r"(?:19|20)\d\d"
DATE = (
    rf"(?:\d{{1,2}}[/.-]\d{{1,2}}[/.-](?:{_YEAR}|\d\d)(?!\d)"  # 3/4/2009, 3-4-09, 3.4.09
    rf"|{_YEAR}[/.-]\d{{1,2}}[/.-]\d{{1,2}}(?!\d)"  # 2009-03-04
    rf"|{_MONTH}\s*{_DAY},?\s*{_YEAR}"  # March 4, 2009
    rf"|{_DAY}\s+(?:of\s+|de\s+)?{_MONTH},?\s+(?:del?\s+)?{_YEAR}"  # 4 March 2009, 4 de marzo del 2009
    rf"|{_MONTH},?\s+{_YEAR})"  # March 2009
)
_CUE = (r"(?:d\.?\s?o\.?\s?b\b\.?|born|birth\s*days?|birth\s*date|date\s+of\s+birth|"
        r"fecha\s+de\s+nac(?:imiento\b|\.|\b)|naci[óo]|nacid[oa]|nacimiento|cumplea[ñn]os)")
# A cue, then up to a few words ("born in Texas on"), then the date; "b." only right before a date.
DATE_OF_BIRTH = re.compile(
    rf"\b{_CUE}(?:[^\d\n.;!?]|\.(?=\s*\d)){{0,30}}?(?P<date>{DATE})(?!\w)"
    rf"|(?<![\w.])b\.\s*(?P<short>{DATE})(?!\w)",
    re.IGNORECASE,
)


def dates_of_birth(text: str):
    for m in DATE_OF_BIRTH.finditer(text):
        group = "date" if m.group("date") else "short"
        yield "date_of_birth", m.start(group), m.end(group)


# --------------------------------------------------------------------------- ids after a marker
# "ID: 123", "ID no. 55555", "id #4471", "student number 88214503", "student # 559012": any 3 or more
# digits after the marker. A bare "# 123456" is left to the id lengths.
ID_AFTER_MARKER = re.compile(
    r"(?:\b(?:student\s+)?(?:id|i\.d\.)(?:\s*(?:no\b\.?|number|num\b\.?|#))?|\bstudent\s*(?:no\b\.?|number|num\b\.?|#))"
    r"\s*[:#.]?\s*(?P<id>\d(?:[ -]?\d){2,15})(?!\d)",
    re.IGNORECASE,
)


def marked_ids(text: str):
    for m in ID_AFTER_MARKER.finditer(text):
        yield "id_marker", m.start("id"), m.end("id")
