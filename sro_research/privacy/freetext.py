"""Free-text comments: scrub personal information first, then tag themes from a keyword codebook.

The rules live in privacy/scrub.py (measured by benchmarks/bench_scrubber.py), tagging in
privacy/themes.py. `names` everywhere is a roster: a `Roster` from readers.word_lists.load_names
(names plus the common words that are not taken for a name when written alone) or a plain list.
"""

from __future__ import annotations

import pandas as pd

from sro_research.privacy.scrub import KINDS, PLACEHOLDERS, Detection, Roster, replace, scrubber_for
from sro_research.privacy.themes import Theme, comment_themes, keyword_pattern, theme_counts

REPLACEMENTS = PLACEHOLDERS

__all__ = [
    "KINDS", "REPLACEMENTS", "Detection", "Roster", "Theme", "assert_scrubbed", "comment_themes", "detect",
    "keyword_pattern", "personal_info_left", "scrub", "theme_counts",
]


def _missing(text) -> bool:
    return text is None or (not isinstance(text, str) and pd.isna(text))


def detect(text: str, names) -> list[Detection]:
    """Where personal information sits in `text`: kind, rule and span of each find."""
    return [] if _missing(text) else scrubber_for(names).detect(str(text))


def scrub(text: str, names) -> str:
    """`text` with each kind of personal information (KINDS: emails, URLs, IPs, handles, street
    addresses, dates of birth, ids, phone numbers, names) replaced by its placeholder, such as
    [email] or [name]. Missing stays missing."""
    if _missing(text):
        return text
    text = str(text)
    return replace(text, scrubber_for(names).detect(text))


def personal_info_left(text: str, names) -> list[str]:
    """The kinds of personal information still present in `text` (empty when clean)."""
    if not isinstance(text, str):
        return []
    found = {d.kind for d in scrubber_for(names).detect(text)}
    return [kind for kind in KINDS if kind in found]


def assert_scrubbed(texts, names) -> None:
    """Raise if any text about to be shown still holds personal information (kinds named, never the text)."""
    for text in texts:
        left = personal_info_left(text, names)
        if left:
            raise ValueError(f"refusing to show a comment that still holds personal information ({', '.join(left)})")
