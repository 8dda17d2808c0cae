"""The glossary every page ends with: data/glossary.yaml, with NCES's own definitions quoted.

The glossary is site content, like reports.toml: project-authored words with no figures. Where
NCES defines a term, the entry names its row in data/published/definitions.csv and the page quotes
that row and its source rather than retyping it. (The build layer may not import readers/, so the
two small files are read here with the standard library; a missing row is a clear error.)
"""

from __future__ import annotations

import csv
from pathlib import Path

import yaml

GLOSSARY = Path("data") / "glossary.yaml"
DEFINITIONS = Path("data") / "published" / "definitions.csv"
ENTRY_KEYS = {"key", "term", "definition", "nces_term"}


class GlossaryError(Exception):
    """data/glossary.yaml is malformed or names an NCES term definitions.csv does not have."""


def _nces_definitions(root: Path) -> dict[str, dict]:
    path = root / DEFINITIONS
    if not path.is_file():
        return {}
    with path.open(encoding="utf-8", newline="") as handle:
        return {row["term"]: row for row in csv.DictReader(handle)}


def load_glossary(root: Path, district: dict[str, str] | None = None) -> list[dict]:
    """Entries in file order: key, term, definition and, where NCES defines it, nces (quoted row).
    `district`: the district profile's [glossary], its own definition of a term by key (e.g. who its SROs were)."""
    path = root / GLOSSARY
    if not path.is_file():
        return []
    entries = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    if not isinstance(entries, list):
        raise GlossaryError(f"{GLOSSARY}: must be a list of entries")
    definitions = _nces_definitions(root)
    glossary = []
    for number, entry in enumerate(entries, start=1):
        where = f"{GLOSSARY}, entry {number}"
        if not isinstance(entry, dict) or not {"key", "term", "definition"} <= set(entry):
            raise GlossaryError(f"{where}: needs key, term and definition")
        if set(entry) - ENTRY_KEYS:
            raise GlossaryError(f"{where}: unknown field(s) {', '.join(sorted(set(entry) - ENTRY_KEYS))}")
        item = {key: str(entry[key]) for key in ("key", "term", "definition")}
        if district and district.get(item["key"]):
            item["definition"] = str(district[item["key"]])
        if entry.get("nces_term"):
            row = definitions.get(entry["nces_term"])
            if row is None:
                raise GlossaryError(f"{where}: nces_term {entry['nces_term']!r} is not a term in {DEFINITIONS}")
            item["nces"] = {
                "definition": row["definition"],
                "location": row["location"],
                "cite": f"{DEFINITIONS.as_posix()}, term {row['term']}, source {row['source_id']}",
            }
        glossary.append(item)
    unknown = sorted(set(district or {}) - {item["key"] for item in glossary})
    if unknown:
        raise GlossaryError(f"the district profile's [glossary] names {', '.join(unknown)}, not a key in {GLOSSARY}")
    return glossary
