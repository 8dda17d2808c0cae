"""Reading a survey tool's export file into a table of text cells, whatever the tool wrote.

Handles: CSV in UTF-8 (with or without BOM), UTF-16 with BOM (Excel's "Unicode text"), Windows-1252;
comma, semicolon or tab delimiters (detected); .xlsx; Qualtrics' three header rows (ids, question
text, ImportId JSON); SurveyMonkey's two header rows (question, then one option per column).
Each column gets the header names it may be mapped by (`aliases`). Messages name the file, the row
and the column, and describe the file's shape; they never quote a cell, which may be personal.

A header row is accepted only when it is one: a header cell that looks like a respondent's answer (an
email, an IP address, a date, a long number, a long free text) means `header_rows` is wrong, and the
file is refused before any of its headers is used; a header row read from data would be published.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from sro_research.readers.errors import InputFileError
from sro_research.readers.text_files import DELIMITER_NAMES, detect_delimiter, read_text

QUALTRICS_IMPORT = '{"importid"'
LAYOUTS = {1: "one header row", 2: "two header rows (SurveyMonkey)", 3: "three header rows (Qualtrics)"}
# What a respondent's cell holds and a header never does. Emails and IP addresses anywhere in the cell;
# dates, times and numbers as the whole cell (a rating scale's "1".."10" is a legitimate option label).
DATA_PATTERNS = {
    "an email address": re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"),
    "an IP address": re.compile(r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.])|\b(?:[0-9a-f]{1,4}:){3,7}[0-9a-f]{1,4}\b", re.I),
}
WHOLE_CELL_PATTERNS = {
    "a date or time": re.compile(
        r"\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}(?:[ T]\d{1,2}:\d{2}(?::\d{2})?(?:\.\d+)?\s*(?:[ap]\.?m\.?)?)?(?:z|[+-]\d{2}:?\d{2})?"
        r"|\d{1,2}:\d{2}(?::\d{2})?\s*(?:[ap]\.?m\.?)?"
        r"|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.? \d{1,2},? \d{4}", re.I),
}
NUMBER = re.compile(r"\+?[\d\s().,-]*\d[\d\s().,-]*")  # digits and separators only: a phone, an id, a coordinate
LONG_LABEL = 150  # characters: more than an option label; only the SurveyMonkey option row is held to it


class ExportFileError(InputFileError):
    """A file that cannot be read as a table; `problems` lists what is wrong."""

    what = "the export file"


@dataclass
class ExportTable:
    """Cells as text ('' when empty); `cells.index` is the row number in the file (header = row 1)."""

    cells: pd.DataFrame  # columns 0..n-1
    headers: list[str]  # the header each column is shown by in messages
    aliases: list[list[str]] = field(default_factory=list)  # per column: every name that may map onto it
    layout: str = "one header row"


def read_export(path: Path, header_rows: int | None = None) -> ExportTable:
    """The export as text cells; `header_rows` (1, 2 or 3) overrides detection."""
    if path.stat().st_size == 0:
        raise ExportFileError([f"{path}: the file is empty (0 bytes)"])
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        try:
            rows = pd.read_excel(path, dtype=str, engine="openpyxl", keep_default_na=False, header=None)
        except Exception as error:  # openpyxl raises several types for a damaged workbook
            raise ExportFileError([f"{path}: cannot be read as an Excel workbook ({type(error).__name__})"]) from None
        rows = rows.fillna("").astype(str).values.tolist()
    elif suffix in (".csv", ".txt", ".tsv"):
        rows = _csv_rows(path)
    else:
        raise ExportFileError([f"{path}: unsupported file type {suffix!r}; use .csv, .tsv, .txt or .xlsx"])
    if not rows:
        raise ExportFileError([f"{path}: the file has no header row"])
    return _with_headers(path, rows, header_rows)


def _csv_rows(path: Path) -> list[list[str]]:
    text, encoding = read_text(path, ExportFileError)
    delimiter = detect_delimiter(path, text[:100_000], encoding, ExportFileError)
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    if rows:
        width = len(rows[0])
        for number, row in enumerate(rows[1:], 2):
            if len(row) > width and any(cell.strip() for cell in row[width:]):
                raise ExportFileError([
                    f"{path}: row {number} has {len(row)} {DELIMITER_NAMES[delimiter]}-separated fields but the "
                    f"header row has {width}; a cell holding the delimiter must be in double quotes"
                ])
    return rows


def _with_headers(path: Path, rows: list[list[str]], header_rows: int | None) -> ExportTable:
    width = max(len(r) for r in rows)
    rows = [[str(c) for c in r] + [""] * (width - len(r)) for r in rows]
    first = [c.strip() for c in rows[0]]
    declared = header_rows is not None
    if header_rows is None:
        header_rows = 3 if len(rows) > 2 and any(c.strip().casefold().startswith(QUALTRICS_IMPORT) for c in rows[2]) else 1
    if header_rows not in (1, 2, 3):
        raise ExportFileError([f"{path}: header_rows must be 1, 2 or 3, not {header_rows}"])
    check_header_rows(path, rows, header_rows, declared)
    layout = LAYOUTS[header_rows]
    if header_rows == 2:  # question on the first of its columns, option label under each
        question, headers, aliases = "", [], []
        tops = first + ["next"]
        for index, (top, below) in enumerate(zip(first, (c.strip() for c in rows[1]))):
            question = top or question
            names = [f"{question} / {below}" if below else question]
            if top and (not below or tops[index + 1]):  # a question with one column ("Response") is its own header
                names.append(top)
            if below:
                names += [below, f"{question} - {below}"]
            headers.append(names[0])
            aliases.append(names)
    elif header_rows == 3:  # ids, question text, ImportId JSON
        headers = first
        aliases = [[top, text.strip()] for top, text in zip(first, rows[1])]
    else:
        headers, aliases = first, [[h] for h in first]
    cells = pd.DataFrame(rows[header_rows:], index=range(header_rows + 1, len(rows) + 1), dtype="object")
    if cells.empty:
        cells = pd.DataFrame(columns=range(width), dtype="object")
    cells = cells[(cells.map(lambda v: str(v).strip()) != "").any(axis=1)] if len(cells) else cells
    return ExportTable(cells=cells, headers=headers, aliases=aliases, layout=layout)


def data_like(cell: str, long_text: int | None = None) -> str | None:
    """What respondent value `cell` looks like ("an email address", ...), or None when it may be a header."""
    text = cell.strip()
    for kind, pattern in DATA_PATTERNS.items():
        if pattern.search(text):
            return kind
    for kind, pattern in WHOLE_CELL_PATTERNS.items():
        if pattern.fullmatch(text):
            return kind
    if NUMBER.fullmatch(text):
        digits = sum(c.isdigit() for c in text)
        # "1".."10" or "1 - 5" are option labels; a coordinate (-93.265011), a phone or an id is not.
        if digits >= 5 or re.search(r"[.,]\d{2,}$", text) or text.startswith(("-", "+")):
            return "a number"
    if long_text is not None and len(text) > long_text:
        return "a long free text"
    return None


def check_header_rows(path: Path, rows: list[list[str]], header_rows: int, declared: bool) -> None:
    """Refuse header rows that hold respondent data: rows and columns are named, never a cell.

    Qualtrics' third row must be its ImportId JSON (or empty); SurveyMonkey's second row holds option
    labels, so a long text there is an answer; every header cell is checked for data-like values."""
    if len(rows) < header_rows:
        raise ExportFileError([f"{path}: the file has {len(rows)} row(s) but header_rows is {header_rows}"])
    found: dict[int, dict[str, list[int]]] = {}
    for number in range(1, header_rows + 1):
        for column, cell in enumerate(rows[number - 1], 1):
            if not cell.strip():
                continue
            if header_rows == 3 and number == 3:
                kind = None if cell.strip().casefold().startswith(QUALTRICS_IMPORT) else "not Qualtrics' ImportId text"
            else:
                kind = data_like(cell, LONG_LABEL if header_rows == 2 and number == 2 else None)
            if kind:
                found.setdefault(number, {}).setdefault(kind, []).append(column)
    if not found:
        return
    source = "the mapping's header_rows" if declared else "header_rows as detected (no header_rows in the mapping)"
    problems = []
    for number, kinds in found.items():
        what = "; ".join(f"{kind} in column(s) {_columns(columns)}" for kind, columns in kinds.items())
        problems.append(f"{path}: row {number} is read as a header row ({source}: {header_rows}) but holds cells "
                        f"that look like respondent data ({what})")
    problems.append(f"{path}: set header_rows in the column-mapping file to the number of header rows the export "
                    f"has (1: Google Forms and plain CSV, 2: SurveyMonkey, 3: Qualtrics); no cell is quoted here")
    raise ExportFileError(problems)


def _columns(columns: list[int]) -> str:
    shown = ", ".join(map(str, columns[:10]))
    return shown + (f" and {len(columns) - 10} more" if len(columns) > 10 else "")
