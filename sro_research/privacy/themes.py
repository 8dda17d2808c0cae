"""Tagging (scrubbed) comments with themes from a keyword codebook.

`comment_themes` is the only way to tag, and it scrubs before it looks at a comment, so no theme
count or example ever rests on unscrubbed text. The codebook file is read in readers/word_lists.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from sro_research.privacy.scrub import replace, scrubber_for


@dataclass(frozen=True)
class Theme:
    code: str
    label: str
    keywords: tuple[str, ...]
    pattern: re.Pattern


def themes_from_codebook(raw: dict, where: str) -> list[Theme]:
    """Themes from a parsed codebook ({'themes': {code: {label, keywords}}}); `where` names it in errors."""
    if not isinstance(raw, dict) or not raw.get("themes"):
        raise ValueError(f"{where}: no 'themes' in the theme codebook")
    themes = []
    for code, spec in raw["themes"].items():
        keywords = tuple(str(k) for k in (spec or {}).get("keywords") or ())
        if not keywords:
            raise ValueError(f"{where}: theme {code!r} has no keywords")
        themes.append(Theme(code, spec.get("label", code), keywords, keyword_pattern(keywords)))
    return themes


def keyword_pattern(keywords: tuple[str, ...]) -> re.Pattern:
    parts = []
    for keyword in keywords:
        stem = keyword.rstrip("*")
        body = r"\s+".join(re.escape(word) for word in stem.split())
        parts.append(r"\b" + body + (r"\w*" if keyword.endswith("*") else r"\b"))
    return re.compile("|".join(parts), re.IGNORECASE)


def comment_themes(comments: pd.Series, names, themes: list[Theme]) -> pd.DataFrame:
    """Scrubbed comments (same index as `comments`, only non-empty ones) with one bool column per theme,
    and `scrubbed` (whether anything was removed) and `detected` (the kinds removed, e.g. "name;phone")."""
    given = comments.dropna()
    given = given[given.astype(str).str.strip() != ""].astype(str)
    scrubber = scrubber_for(names)
    found = given.map(scrubber.detect)
    scrubbed = pd.Series([replace(t, d) for t, d in zip(given, found)], index=given.index, dtype="object")
    kinds = found.map(lambda ds: ";".join(dict.fromkeys(d.kind for d in ds)))
    out = pd.DataFrame({"comment": scrubbed, "scrubbed": found.map(bool).astype(bool), "detected": kinds})
    for theme in themes:
        out[theme.code] = scrubbed.map(lambda t, p=theme.pattern: bool(p.search(t))).astype(bool)
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
