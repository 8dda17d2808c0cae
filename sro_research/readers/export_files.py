"""Reading a survey tool's export file into a table of text cells, whatever the tool wrote.

Handles: CSV in UTF-8 (with or without BOM), UTF-16 with BOM (Excel's "Unicode text"), Windows-1252;
comma, semicolon or tab delimiters (detected); .xlsx; Qualtrics' three header rows (ids, question
text, ImportId JSON); SurveyMonkey's two header rows (question, then one option per column).
Each column gets the header names it may be mapped by (`aliases`). Messages name the file, the row
and the column, and describe the file's shape; they never quote a cell, which may be personal.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from sro_research.readers.errors import InputFileError
from sro_research.readers.text_files import DELIMITER_NAMES, detect_delimiter, read_text

QUALTRICS_IMPORT = '{"importid"'


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
    if header_rows is None:
        header_rows = 3 if len(rows) > 2 and any(c.strip().casefold().startswith(QUALTRICS_IMPORT) for c in rows[2]) else 1
    if header_rows not in (1, 2, 3):
        raise ExportFileError([f"{path}: header_rows must be 1, 2 or 3, not {header_rows}"])
    layout = {1: "one header row", 2: "two header rows (SurveyMonkey)", 3: "three header rows (Qualtrics)"}[header_rows]
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
