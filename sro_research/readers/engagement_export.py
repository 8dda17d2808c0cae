"""Reading a district's survey export onto the codebook, through a column mapping.

Every problem is collected and raised together as EngagementDataError, naming the file, the row
(as numbered in a spreadsheet: the header is row 1), the column and the rule broken. Messages never
quote a cell: they travel into build files, and a cell may hold a name or a phone number.
"""

from __future__ import annotations

import csv
import difflib
import hashlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import yaml

from sro_research.paths import data_dir
from sro_research.provenance import record_input
from sro_research.readers.codebook import Codebook, Item, load_codebook
from sro_research.readers.engagement_mapping import EngagementDataError, Mapping, load_mapping, norm
from sro_research.readers.export_files import ExportFileError, read_export

MULTI_SEPARATOR = ";"  # how the package stores a multi-select answer: codes joined by ";"
RECONSTRUCTION_STATUS = "reconstruction"
OTHER_SUFFIX = "_other"  # "<item>_other": the text of an answer routed to `other`, a comment to scrub


@dataclass
class Survey:
    """Respondent-level answers on the codebook, and where they came from."""

    responses: pd.DataFrame  # one row per respondent; codebook columns; missing answers are NA
    source: Path
    sha256: str
    mapping: Path | None
    # Export columns the mapping does not use: only how many, and those the mapping names under
    # `ignored_columns`; other headers are never kept, since a wrong header row makes them answers.
    unused_columns: int = 0
    ignored_columns: list[str] = field(default_factory=list)
    absent_items: list[str] = field(default_factory=list)  # optional codebook items the export lacks
    ids_from_rows: bool = False  # no respondent id column: ids are the rows' numbers in the file
    layout: str = "one header row"
    id_warning: str = ""  # the id column looks like emails, phone or student numbers (never quoted)
    # Key of the comment ids and fingerprints in the review file (privacy.review): derived from the
    # export's own bytes, so only someone holding the export can compute or reverse an id.
    comment_key: bytes = field(default=b"", repr=False)

    @property
    def is_reconstruction(self) -> bool:
        status = self.responses.get("data_status")
        return status is not None and bool((status == RECONSTRUCTION_STATUS).any())


def shipped_responses_path() -> Path:
    """The labelled 2017 reconstruction the repository ships (synthetic.reconstruction writes it)."""
    return data_dir() / "engagement" / "engagement_2017_reconstruction.csv"


def read_reconstruction_notes() -> dict:
    """data/engagement/reconstruction_2017.yaml: which numbers of the reconstruction are published and
    which illustrative, its seed and file."""
    path = shipped_responses_path().with_name("reconstruction_2017.yaml")
    record_input(path, role="reconstruction notes")
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def read_responses(path: str | os.PathLike | None = None, mapping: str | os.PathLike | Mapping | None = None,
                   codebook: Codebook | None = None) -> Survey:
    """Read a survey export (CSV: UTF-8, UTF-16 with BOM or Windows-1252, comma, semicolon or tab; .xlsx);
    `path` None reads the shipped 2017 reconstruction, `codebook` None the shipped codebook.

    Partial responses are kept: an unanswered item is NA. The file is only ever read.
    """
    path = Path(path) if path is not None else shipped_responses_path()
    if not path.is_file():
        raise FileNotFoundError(f"survey export (responses_path) not found: {path}")
    codebook = codebook or load_codebook()
    if not isinstance(mapping, Mapping):
        mapping = load_mapping(mapping, codebook)
    sha256 = record_input(path, role="engagement survey responses")
    try:
        table = read_export(path, mapping.header_rows)
    except ExportFileError as error:
        raise EngagementDataError(error.problems) from None
    if table.cells.empty:
        raise EngagementDataError([f"{path}: no responses (a header row but no data rows)"])
    reader = _Reader(path, table, mapping, codebook)
    responses = reader.read()
    unused, declared = reader.unused()
    return Survey(responses=responses, source=path, sha256=sha256, mapping=mapping.path,
                  unused_columns=unused, ignored_columns=declared, absent_items=reader.absent,
                  ids_from_rows=reader.ids_from_rows, layout=table.layout, id_warning=reader.id_warning,
                  comment_key=comment_key(path))


def comment_key(path: Path) -> bytes:
    """The export's secret for comment ids: a hash of its bytes under a label of its own, so it is not
    the SHA-256 the pages publish, and guessing an email's id needs the whole export."""
    return hashlib.sha256(b"sro-research comment id key\0" + path.read_bytes()).digest()


class _Reader:
    def __init__(self, path: Path, table, mapping: Mapping, codebook: Codebook):
        self.path, self.table, self.mapping, self.codebook = path, table, mapping, codebook
        self.problems: list[str] = []
        self.used: set[int] = set()
        self.absent: list[str] = []
        self.ids_from_rows = False
        self.id_warning = ""
        self.missing = {norm(m) for m in mapping.missing} | {""}  # a blank cell is always unanswered

    def _where(self, position: int) -> str:
        return f"column {self.table.headers[position]!r}"

    def _find(self, header: str) -> list[int]:
        return [i for i, names in enumerate(self.table.aliases) if any(norm(n) == norm(header) for n in names)]

    def _locate(self, item: Item) -> int | None:
        """The column of `item`; a problem when a mapped header is missing or written twice."""
        mapped = item.name in self.mapping.columns
        header = self.mapping.columns.get(item.name, item.name)
        if mapped and not header:  # mapped to '': the export has no such column
            return None
        positions = self._find(header)
        if len(positions) > 1:
            self.problems.append(
                f"{self.path}: column {header!r} (codebook item {item.name}) appears {len(positions)} times in the "
                f"header row (columns {', '.join(str(p + 1) for p in positions)}); rename or remove all but one")
            return None
        if positions:
            return positions[0]
        if mapped or item.required and item.name != "respondent_id":
            close = difflib.get_close_matches(header, self.table.headers, n=3, cutoff=0.6)
            hint = f"; closest headers: {', '.join(map(repr, close))}" if close else ""
            what = "required column" if item.required else "mapped column"
            # The file's other headers are not listed: with a wrong header_rows they are a respondent's answers.
            self.problems.append(f"{self.path}: {what} {header!r} (codebook item {item.name}) is missing{hint}; "
                                 f"the file has {len(self.table.headers)} columns read as {self.table.layout} "
                                 f"(check the header names and header_rows in the column-mapping file)")
        return None

    def read(self) -> pd.DataFrame:
        cells = self.table.cells
        out = pd.DataFrame(index=cells.index)
        located = {}
        for item in self.codebook.items:
            if item.name in self.mapping.option_columns:
                located[item.name] = [(self._option_column(h), code)
                                      for h, code in self.mapping.option_columns[item.name].items()]
            else:
                located[item.name] = self._locate(item)
        if self.problems:
            raise EngagementDataError(self.problems)
        for item in self.codebook.items:
            where = located[item.name]
            if where is None:
                if item.name != "data_status" and item.name != "respondent_id":
                    self.absent.append(item.name)
                out[item.name] = pd.Series(pd.NA, index=cells.index, dtype="object")
            elif isinstance(where, list):
                out[item.name] = self._from_option_columns(where)
            else:
                self.used.add(where)
                self._read_item(item, where, out)
        self._check_ids(out, located["respondent_id"])
        if self.problems:
            raise EngagementDataError(self.problems)
        return out.reset_index(drop=True)

    def _option_column(self, header: str) -> int | None:
        positions = self._find(header)
        if len(positions) != 1:
            close = difflib.get_close_matches(header, self.table.headers, n=3, cutoff=0.6)
            hint = f"; closest headers: {', '.join(map(repr, close))}" if close else ""
            state = "is missing" if not positions else f"appears {len(positions)} times"
            self.problems.append(f"{self.path}: option column {header!r} {state}{hint}")
            return None
        self.used.add(positions[0])
        return positions[0]

    def _from_option_columns(self, columns: list[tuple[int, str]]) -> list:
        chosen = []
        for row in self.table.cells.index:
            codes = [code for position, code in columns if norm(self.table.cells.at[row, position]) not in self.missing]
            chosen.append(MULTI_SEPARATOR.join(dict.fromkeys(codes)) if codes else pd.NA)
        return chosen

    def _read_item(self, item: Item, position: int, out: pd.DataFrame) -> None:
        cells = self.table.cells[position]
        if item.kind in ("id", "text"):
            out[item.name] = [pd.NA if norm(v) in self.missing else str(v).strip() for v in cells]
            return
        lookup = _label_lookup(item, self.mapping)
        other_code = self.mapping.other.get(item.name)
        column, other_text = [], []
        for row, value in cells.items():
            if norm(value) in self.missing:
                column.append(pd.NA)
                other_text.append(pd.NA)
                continue
            parts = [value] if item.kind == "single" else _split(value, self.mapping.separators.get(item.name, MULTI_SEPARATOR), lookup)
            codes, unknown = [], []
            for part in parts:
                code = lookup.get(norm(part))
                if code is None and other_code:
                    code = other_code
                    unknown.append(part.strip())
                if code is None:
                    self.problems.append(
                        f"{self.path}: row {row}, {self._where(position)}: unknown answer for {item.name} (rule: every "
                        f"label must be in the mapping's values; known codes: {', '.join(sorted(set(lookup.values())))}; "
                        f"add the label to the column-mapping file, or route unknown labels with `other:`)")
                elif code not in codes:
                    codes.append(code)
            column.append(MULTI_SEPARATOR.join(codes) if codes else pd.NA)
            other_text.append("; ".join(unknown) if unknown else pd.NA)
        out[item.name] = column
        if other_code:
            out[item.name + OTHER_SUFFIX] = other_text

    def _check_ids(self, out: pd.DataFrame, position: int | None) -> None:
        if position is None:  # no id column: a row's number in the file is its id
            self.ids_from_rows = True
            out["respondent_id"] = [str(row) for row in out.index]
            return
        ids = out["respondent_id"]
        where = self._where(position)
        kind = identifying_ids(ids.dropna())
        if kind:
            self.id_warning = (f"{self.path}: {where}, the respondent id, holds {kind}; the review file and the "
                               f"reports use only keyed hashes of it, but an id the survey tool made is safer")
        for row in ids[ids.isna()].index:
            self.problems.append(f"{self.path}: row {row}, {where}: respondent id is empty")
        duplicated = ids[ids.notna() & ids.duplicated(keep=False)]
        for _, rows in duplicated.groupby(duplicated).groups.items():
            self.problems.append(f"{self.path}: rows {', '.join(map(str, rows))}, {where}: the same respondent id "
                                 f"repeats (rule: one row per respondent)")

    def unused(self) -> tuple[int, list[str]]:
        """How many columns no item uses, and which of them the mapping declares as ignored."""
        unused = [i for i, h in enumerate(self.table.headers) if i not in self.used and h]
        found = {norm(n) for i in unused for n in self.table.aliases[i]}
        return len(unused), [h for h in self.mapping.ignored_columns if norm(h) in found]  # as the mapping writes them


ID_KINDS = {
    "email addresses": re.compile(r"[^@\s]+@[^@\s]+\.\w+"),
    # written with separators, or ten digits: a survey tool's numeric ids have no separators and 10-11 digits
    # (SurveyMonkey's start with 1, so eleven digits are not read as a phone number)
    "phone numbers": re.compile(r"\+\d[\d\s().-]{6,}\d|(?:1[\s.-])?\(?\d{3}\)?[\s.-]*\d{3}[\s.-]\d{4}|\d{3}[.-]\d{4}|[2-9]\d{9}"),
    "student numbers": re.compile(r"\d{5,9}"),  # a survey tool's own numeric ids are longer (SurveyMonkey: 10-11)
}


def identifying_ids(ids: pd.Series) -> str:
    """The kind of personal value most ids are ("email addresses", ...), or '' when they look opaque."""
    texts = [str(v).strip() for v in ids]
    for kind, pattern in ID_KINDS.items():
        if texts and sum(bool(pattern.fullmatch(t)) for t in texts) * 2 >= len(texts):
            return kind
    return ""


def _split(value: str, separator: str, lookup: dict[str, str]) -> list[str]:
    """A multi-select cell's chosen labels. Labels may be quoted ("Safe, mostly","Other") and a label
    holding the separator unquoted is kept whole when the mapping knows it (Google Forms writes
    "Safety, and order, They deter crime" for two choices)."""
    if len(separator) == 1 and '"' in value:
        parts = next(csv.reader([value], delimiter=separator, skipinitialspace=True))
    else:
        parts = value.split(separator)
    parts = [p for p in parts if p.strip()]
    joined, i = [], 0
    while i < len(parts):
        for j in range(len(parts), i, -1):  # the longest run of parts that is a known label
            candidate = separator.join(parts[i:j])
            if j - i == 1 or norm(candidate) in lookup:
                joined.append(candidate)
                i = j
                break
    return joined


def _label_lookup(item: Item, mapping: Mapping) -> dict[str, str]:
    """Normalised label -> code. Codes and codebook labels are always understood."""
    lookup = {norm(code): code for code in item.values}
    lookup.update({norm(label): code for code, label in item.values.items()})
    lookup.update({norm(label): code for label, code in mapping.values.get(item.name, {}).items()})
    return lookup
