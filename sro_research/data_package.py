"""A report's tables folder as a Frictionless data package: stable field names, titles in words.

The CSV a reader downloads keeps lower-case machine field names (`per_100_enrolled`), so a script
that reads a column by name keeps working when the page's words change; the words a reader sees go
into the schema as each field's title. `datapackage.json` is written with plain json (the build
stays lean); the tests validate it with the `frictionless` library.
"""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

import pandas as pd

DESCRIPTOR = "datapackage.json"
_NOT_WORD = re.compile(r"[^a-z0-9]+")
_SYMBOLS = {"%": " pct ", "&": " and ", "+": " plus ", "<": " lt ", ">": " gt ", "→": " to "}


def field_name(column) -> str:
    """A column as a lower-case machine name: 'Per 100 students (95% CI)' -> 'per_100_students_95_pct_ci'."""
    text = str(column)
    for symbol, word in _SYMBOLS.items():
        text = text.replace(symbol, word)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    return _NOT_WORD.sub("_", text).strip("_") or "field"


def field_names(columns) -> list[str]:
    """field_name of each column; a name two columns share gets _2, _3 (a CSV header is unique)."""
    names: list[str] = []
    for column in columns:
        name, n = field_name(column), 1
        while name in names:
            n += 1
            name = f"{field_name(column)}_{n}"
        names.append(name)
    return names


def field_type(series: pd.Series) -> str:
    """The Table Schema type of a column as pandas writes it to CSV."""
    values = series.dropna()
    if values.empty:
        return "string"
    if pd.api.types.is_bool_dtype(series) or all(isinstance(v, bool) for v in values):
        return "boolean"
    if pd.api.types.is_integer_dtype(series):
        return "integer"
    if pd.api.types.is_float_dtype(series):
        return "number"
    return "string"


def resource(frame: pd.DataFrame, name: str, titles: list[str], title: str | None = None) -> dict:
    """The data-package entry of one CSV: `frame` already carries its machine field names."""
    fields = [{"name": str(column), "title": field_title, "type": field_type(frame[column])}
              for column, field_title in zip(frame.columns, titles)]
    entry = {"name": name, "path": f"{name}.csv", "profile": "tabular-data-resource", "format": "csv", "mediatype": "text/csv", "encoding": "utf-8",
             "schema": {"fields": fields}}
    if title:
        entry["title"] = title
    return entry


def add_resource(folder: Path, package_name: str, entry: dict) -> Path:
    """Add (or replace) one resource in folder/datapackage.json, kept in the order tables were saved."""
    path = folder / DESCRIPTOR
    try:
        package = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        package = {}
    name = field_name(package_name).replace("_", "-")
    package = {"name": name, "profile": "tabular-data-package",
               "resources": [r for r in package.get("resources", []) if r.get("name") != entry["name"]] + [entry]}
    path.write_text(json.dumps(package, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return path
