"""Reading the word lists the comment scrubber and theme tagger use: a names roster, the shipped
common-words list, and the theme codebook. privacy/ opens no files; these readers pass objects in.
"""

from __future__ import annotations

import os
from pathlib import Path

import yaml

from sro_research.paths import data_dir
from sro_research.privacy.scrub import DEFAULT_ID_LENGTHS, DEFAULT_OTHER_ID_LENGTHS, Roster
from sro_research.privacy.themes import Theme, themes_from_codebook
from sro_research.provenance import record_input


def names_path() -> Path:
    return data_dir() / "engagement" / "names.txt"


def common_words_path() -> Path:
    return data_dir() / "engagement" / "common_words.txt"


def themes_path() -> Path:
    return data_dir() / "engagement" / "themes.yaml"


def _lines(path: Path) -> list[str]:
    """Non-empty lines of a list file, '#' starting a comment."""
    lines = []
    for line in path.read_text(encoding="utf-8-sig").splitlines():
        text = line.split("#", 1)[0].strip()
        if text:
            lines.append(text)
    return lines


def load_common_words(path: str | os.PathLike | None = None) -> list[str]:
    """Words that are also names ("Will", "Hope", "Brown", "Said"): a roster name that is one of
    them is scrubbed alone only when the full name is written, or after a title."""
    path = Path(path) if path else common_words_path()
    if not path.is_file():
        raise FileNotFoundError(f"common-words list not found: {path}")
    record_input(path, role="common words not scrubbed as names when alone")
    return _lines(path)


def load_names(path: str | os.PathLike | None = None, common_words_path: str | os.PathLike | None = None,
               id_lengths: tuple[int, int] = DEFAULT_ID_LENGTHS,
               other_id_lengths: tuple[int, ...] = DEFAULT_OTHER_ID_LENGTHS) -> Roster:
    """Names to scrub, one a line ('First Last', 'Last, First' or a single name; '#' starts a comment),
    with the shipped common-words list and the student-id formats attached: the district id's
    lengths (fewest, most digits) and other lengths (13-digit state student numbers)."""
    path = Path(path) if path else names_path()
    if not path.is_file():
        raise FileNotFoundError(f"names list (names_path) not found: {path}")
    record_input(path, role="names to scrub from comments")
    return Roster(_lines(path), load_common_words(common_words_path), id_lengths, other_id_lengths)


def load_themes(path: str | os.PathLike | None = None) -> list[Theme]:
    path = Path(path) if path else themes_path()
    if not path.is_file():
        raise FileNotFoundError(f"theme codebook not found: {path}")
    record_input(path, role="comment theme codebook")
    return themes_from_codebook(yaml.safe_load(path.read_text(encoding="utf-8")) or {}, str(path))
