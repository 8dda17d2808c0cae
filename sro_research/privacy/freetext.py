"""Free-text comments: scrub personal information first, then tag themes from a keyword codebook.

Scrubbing always comes first: `comment_themes` is the only way to tag, and it scrubs before it
looks at a comment, so no theme count or example ever rests on unscrubbed text.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import yaml

from sro_research.paths import data_dir
from sro_research.provenance import record_input

EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
# North American numbers: 612-555-0143, (612) 555-0143, 612.555.0143, 6125550143, +1 612 555 0143
PHONE = re.compile(r"(?<!\d)(?:\+?1[\s.-]?)?(?:\(\d{3}\)|\d{3})[\s.-]?\d{3}[\s.-]?\d{4}(?!\d)")
# MPS-style student ids are 6-9 digits; Social Security numbers are written 123-45-6789 (or with
# spaces). Digits after or before a decimal point are part of an ordinary number, not an id.
STUDENT_ID = re.compile(r"(?<!\d)(?<!\d\.)(?:\d{3}([\s-])\d{2}\1\d{4}|\d{6,9})(?!\d)(?!\.\d)")
REPLACEMENTS = {"email": "[email]", "phone": "[phone]", "id": "[id]", "name": "[name]"}


def names_path() -> Path:
    return data_dir() / "engagement" / "names.txt"


def load_names(path: str | os.PathLike | None = None) -> list[str]:
    """Names to scrub, one a line; '#' starts a comment."""
    path = Path(path) if path else names_path()
    record_input(path, role="names to scrub from comments")
    names = []
    for line in path.read_text(encoding="utf-8").splitlines():
        name = line.split("#", 1)[0].strip()
        if name:
            names.append(name)
    return names


def _names_pattern(names: list[str]) -> re.Pattern | None:
    # Case-sensitive on purpose: "Will" or "Hope" as a name, not "will" or "hope" as a word. Each name
    # is matched as listed, in capitals and capitalised (rosters often list "JAMAL"; comments write "Jamal").
    forms = sorted({form for n in names for form in (n, n.upper(), n.title())}, key=len, reverse=True)
    if not forms:
        return None
    return re.compile(r"\b(?:" + "|".join(re.escape(f) for f in forms) + r")\b")


def scrub(text: str, names: list[str]) -> str:
    """`text` with emails, phone numbers, 6-9 digit and SSN-style ids and listed names replaced by placeholders."""
    if text is None or (not isinstance(text, str) and pd.isna(text)):
        return text
    text = EMAIL.sub(REPLACEMENTS["email"], str(text))
    text = PHONE.sub(REPLACEMENTS["phone"], text)  # before ids: a bare phone number has 10 digits
    text = STUDENT_ID.sub(REPLACEMENTS["id"], text)
    pattern = _names_pattern(names)
    return pattern.sub(REPLACEMENTS["name"], text) if pattern else text


def personal_info_left(text: str, names: list[str]) -> list[str]:
    """The kinds of personal information still present in `text` (empty when clean)."""
    if not isinstance(text, str):
        return []
    found = [kind for kind, pattern in (("email", EMAIL), ("phone", PHONE), ("id", STUDENT_ID)) if pattern.search(text)]
    pattern = _names_pattern(names)
    if pattern and pattern.search(text):
        found.append("name")
    return found


def assert_scrubbed(texts, names: list[str]) -> None:
    """Raise if any text about to be shown still holds personal information."""
    for text in texts:
        left = personal_info_left(text, names)
        if left:
            raise ValueError(f"refusing to show a comment that still holds personal information ({', '.join(left)})")


# --------------------------------------------------------------------------- themes


@dataclass(frozen=True)
class Theme:
    code: str
    label: str
    keywords: tuple[str, ...]
    pattern: re.Pattern


def themes_path() -> Path:
    return data_dir() / "engagement" / "themes.yaml"


def load_themes(path: str | os.PathLike | None = None) -> list[Theme]:
    path = Path(path) if path else themes_path()
    record_input(path, role="comment theme codebook")
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not raw.get("themes"):
        raise ValueError(f"{path}: no 'themes' in the theme codebook")
    themes = []
    for code, spec in raw["themes"].items():
        keywords = tuple(str(k) for k in spec.get("keywords") or ())
        if not keywords:
            raise ValueError(f"{path}: theme {code!r} has no keywords")
        themes.append(Theme(code, spec.get("label", code), keywords, _keyword_pattern(keywords)))
    return themes


def _keyword_pattern(keywords: tuple[str, ...]) -> re.Pattern:
    parts = []
    for keyword in keywords:
        stem = keyword.rstrip("*")
        body = r"\s+".join(re.escape(word) for word in stem.split())
        parts.append(r"\b" + body + (r"\w*" if keyword.endswith("*") else r"\b"))
    return re.compile("|".join(parts), re.IGNORECASE)


def comment_themes(comments: pd.Series, names: list[str], themes: list[Theme]) -> pd.DataFrame:
    """Scrubbed comments (same index as `comments`, only non-empty ones) with one bool column per theme."""
    given = comments.dropna()
    given = given[given.astype(str).str.strip() != ""]
    scrubbed = given.map(lambda t: scrub(t, names))
    out = pd.DataFrame({"comment": scrubbed, "scrubbed": scrubbed != given})
    for theme in themes:
        out[theme.code] = scrubbed.map(lambda t, p=theme.pattern: bool(p.search(t)))
    return out


def theme_counts(tagged: pd.DataFrame, by: pd.Series, themes: list[Theme]) -> pd.DataFrame:
    """Comments per theme (rows) and group of `by` (columns), e.g. the preferred scenario.

    A comment can carry several themes, so columns do not add up to the number of comments.
    """
    groups = by.reindex(tagged.index).fillna("not answered")
    counts = {theme.code: tagged[theme.code].groupby(groups).sum() for theme in themes}
    table = pd.DataFrame(counts).T.fillna(0).astype("int64")
    table.insert(0, "theme", [t.label for t in themes])
    table.index.name = "code"
    return table
