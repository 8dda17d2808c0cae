"""The 2017 engagement survey: its codebook, and reading a district's export onto it.

A district export (CSV or .xlsx) uses its own headers and answer labels. A column-mapping file
(YAML, see data/engagement/mapping_example.yaml) says which header holds which codebook item and
which label means which answer code. Reading checks every row and reports every problem with the
file, row, column and value, so a researcher can fix the export rather than guess.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pandas as pd
import yaml

from sro_research.paths import data_dir
from sro_research.provenance import record_input

MULTI_SEPARATOR = ";"  # how the package stores a multi-select answer: codes joined by ";"
RECONSTRUCTION_STATUS = "reconstruction"
MAPPING_KEYS = {"columns", "values", "separators", "missing_values"}
MAX_ERRORS_SHOWN = 50  # a broken export can have thousands; the first ones show the pattern


class EngagementDataError(ValueError):
    """An export or mapping file that cannot be read as the codebook says."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        shown = problems[:MAX_ERRORS_SHOWN]
        more = len(problems) - len(shown)
        text = "\n".join(f"- {p}" for p in shown)
        if more:
            text += f"\n- ... and {more} more problem(s)"
        super().__init__(f"{len(problems)} problem(s) reading survey data:\n{text}")


# --------------------------------------------------------------------------- codebook


@dataclass(frozen=True)
class Item:
    name: str
    label: str
    kind: str  # id, single, multi or text
    required: bool
    status: str  # published or assumed
    values: dict[str, str] = field(default_factory=dict)  # code -> label
    value_status: dict[str, str] = field(default_factory=dict)
    source_ids: tuple[str, ...] = ()  # ids in data/published/sources.csv
    evidence: str = ""  # what those sources show about the item
    note: str = ""
    agree_values: tuple[str, ...] = ()  # for the agreement item: the codes that count as "agreed"


@dataclass(frozen=True)
class Codebook:
    items: tuple[Item, ...]
    path: Path

    def item(self, name: str) -> Item:
        for item in self.items:
            if item.name == name:
                return item
        raise KeyError(f"{name!r} is not an item of the codebook {self.path}")

    @property
    def names(self) -> list[str]:
        return [item.name for item in self.items]

    def codes(self, name: str) -> list[str]:
        return list(self.item(name).values)

    def agree_codes(self) -> list[str]:
        return list(self.item("sro_agree").agree_values)

    def table(self) -> pd.DataFrame:
        """One row per item and answer, with whether it is published or assumed."""
        rows = []
        for item in self.items:
            answers = item.values or {"": ""}
            for code, label in answers.items():
                rows.append(
                    {
                        "item": item.name,
                        "question": item.label,
                        "answer_code": code,
                        "answer_label": label,
                        "status": item.value_status.get(code, item.status),
                        "source_ids": ";".join(item.source_ids),
                    }
                )
        return pd.DataFrame(rows)


def codebook_path() -> Path:
    return data_dir() / "engagement" / "codebook.yaml"


def load_codebook(path: str | os.PathLike | None = None) -> Codebook:
    path = Path(path) if path else codebook_path()
    return _load_codebook(str(path.resolve()))


@lru_cache(maxsize=8)
def _load_codebook(path: str) -> Codebook:
    record_input(path, role="engagement codebook")
    raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    items = tuple(
        Item(
            name=i["name"],
            label=i["label"],
            kind=i["kind"],
            required=bool(i.get("required", False)),
            status=i["status"],
            values={str(k): str(v) for k, v in (i.get("values") or {}).items()},
            value_status=dict(i.get("value_status") or {}),
            source_ids=tuple(i.get("source_ids") or ()),
            evidence=i.get("evidence", ""),
            note=i.get("note", ""),
            agree_values=tuple(i.get("agree_values") or ()),
        )
        for i in raw["items"]
    )
    return Codebook(items=items, path=Path(path))


# --------------------------------------------------------------------------- mapping


@dataclass(frozen=True)
class Mapping:
    """Which export header holds each codebook item, and which labels mean which codes."""

    columns: dict[str, str]  # codebook name -> export header
    values: dict[str, dict[str, str]]  # codebook name -> {export label -> code}
    missing: tuple[str, ...]  # labels that mean "no answer"
    separators: dict[str, str]  # multi-select item -> separator in the export
    path: Path | None

    @classmethod
    def identity(cls) -> "Mapping":
        """Headers and answers already spelled as the codebook (e.g. the shipped reconstruction)."""
        return cls(columns={}, values={}, missing=("",), separators={}, path=None)


class _TextLoader(yaml.BaseLoader):
    """YAML with every scalar read as the text written: labels such as Yes, No, 01 or 1.0 stay labels
    (a plain YAML reader makes them true, false, 1 and 1.0). A key repeated in one mapping is an error,
    not a silent overwrite."""

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if isinstance(key, str) and key in seen:
                raise yaml.constructor.ConstructorError(None, None, f"repeated key {key!r}", key_node.start_mark)
            if isinstance(key, str):
                seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _text_mapping(raw, where: str, path: Path, problems: list[str]) -> dict:
    """`raw` as a mapping of text to text ('' or absent: empty); a problem naming `where` otherwise."""
    if raw in (None, ""):
        return {}
    if not isinstance(raw, dict) or not all(isinstance(v, str) for v in raw.values()):
        problems.append(f"{path}: {where}: expected 'name: text' lines, found {_shape(raw)}")
        return {}
    return dict(raw)


def _shape(raw) -> str:
    if isinstance(raw, dict):
        return "a nested mapping" if any(isinstance(v, (dict, list)) for v in raw.values()) else "a mapping"
    return "a list" if isinstance(raw, list) else f"the text {raw!r}"


def load_mapping(path: str | os.PathLike | None) -> Mapping:
    """Read a column-mapping YAML; None means the export already uses codebook names and codes.

    Everything in it is read as written text, and any problem (wrong shape, unknown item or code,
    two labels that read the same but mean different codes) is reported with the key it is under.
    """
    if path is None:
        return Mapping.identity()
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"column-mapping file not found: {path}")
    record_input(path, role="engagement column mapping")
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_TextLoader) or {}
    except yaml.YAMLError as error:
        raise EngagementDataError([f"{path}: not valid YAML: {error}"]) from error
    if not isinstance(raw, dict):
        raise EngagementDataError([f"{path}: expected a mapping with 'columns' and 'values', found {type(raw).__name__}"])
    unknown = sorted(set(raw) - MAPPING_KEYS)
    if unknown:
        raise EngagementDataError([f"{path}: unknown key(s) {', '.join(map(repr, unknown))}; "
                                   f"allowed: {', '.join(sorted(MAPPING_KEYS))}"])
    codebook = load_codebook()
    problems = []
    columns = _text_mapping(raw.get("columns"), "columns", path, problems)
    values = {}
    raw_values = raw.get("values")
    if isinstance(raw_values, dict):
        for name, labels in raw_values.items():
            values[name] = _text_mapping(labels, f"values.{name}", path, problems)
    elif raw_values not in (None, ""):
        problems.append(f"{path}: values: expected one 'item:' section per codebook item, found {_shape(raw_values)}")
    separators = _text_mapping(raw.get("separators"), "separators", path, problems)
    for name, separator in separators.items():
        if not separator:
            problems.append(f"{path}: separators.{name}: empty; write the character between chosen answers, e.g. \"|\"")
    missing = raw.get("missing_values", [""])
    if not isinstance(missing, list) or not all(isinstance(m, str) for m in missing):
        problems.append(f"{path}: missing_values: expected a list of labels, e.g. [\"\", \"N/A\"], found {_shape(missing)}")
        missing = [""]
    for name in [*columns, *values]:
        if name not in codebook.names:
            problems.append(f"{path}: {name!r} is not a codebook item (items: {', '.join(codebook.names)})")
    for name, labels in values.items():
        if name in codebook.names:
            allowed = codebook.codes(name)
            read_as: dict[str, str] = {}
            for label, code in labels.items():
                if code not in allowed:
                    problems.append(
                        f"{path}: values.{name}: label {label!r} maps to {code!r}, "
                        f"which is not a code of {name} ({', '.join(allowed)})"
                    )
                first = read_as.setdefault(_norm(label), label)
                if first != label and labels[first] != code:
                    problems.append(
                        f"{path}: values.{name}: labels {first!r} and {label!r} read the same (case and spaces "
                        f"are ignored) but map to different codes ({labels[first]!r}, {code!r})"
                    )
    if problems:
        raise EngagementDataError(problems)
    return Mapping(columns=columns, values=values, missing=tuple(missing), separators=separators, path=path)


# --------------------------------------------------------------------------- reading


@dataclass
class Survey:
    """Respondent-level answers on the codebook, and where they came from."""

    responses: pd.DataFrame  # one row per respondent; codebook columns; missing answers are NA
    source: Path
    sha256: str
    mapping: Path | None
    ignored_columns: list[str]  # export columns the mapping does not use
    absent_items: list[str] = field(default_factory=list)  # optional codebook items the export lacks

    @property
    def is_reconstruction(self) -> bool:
        status = self.responses.get("data_status")
        return status is not None and bool((status == RECONSTRUCTION_STATUS).any())


def read_responses(path: str | os.PathLike, mapping: str | os.PathLike | Mapping | None = None) -> Survey:
    """Read a survey export (CSV in UTF-8, UTF-8 with BOM or Windows-1252, or .xlsx).

    Every problem is collected and raised together as EngagementDataError, naming the file, the
    row (as numbered in a spreadsheet: the header is row 1), the column and the bad value.
    Partial responses are kept: an unanswered item is NA. The file is only ever read.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"survey export not found: {path}")
    if not isinstance(mapping, Mapping):
        mapping = load_mapping(mapping)
    sha256 = record_input(path, role="engagement survey responses")
    codebook = load_codebook()
    raw = _read_table(path)
    responses, ignored, absent = _apply_mapping(raw, path, mapping, codebook)
    return Survey(responses=responses, source=path, sha256=sha256, mapping=mapping.path,
                  ignored_columns=ignored, absent_items=absent)


def _read_table(path: Path) -> pd.DataFrame:
    """Every cell as text, exactly as in the file ('' for an empty cell)."""
    if path.stat().st_size == 0:
        raise EngagementDataError([f"{path}: the file is empty (0 bytes)"])
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        try:
            table = pd.read_excel(path, dtype=str, engine="openpyxl", keep_default_na=False)
            header = pd.read_excel(path, dtype=str, engine="openpyxl", keep_default_na=False, header=None, nrows=1)
        except Exception as error:  # openpyxl raises several types for a damaged workbook
            raise EngagementDataError([f"{path}: cannot be read as an Excel workbook: {error}"]) from error
    elif suffix in (".csv", ".txt"):
        table, header = _read_csv(path)
    else:
        raise EngagementDataError([f"{path}: unsupported file type {suffix!r}; use .csv or .xlsx"])
    # The header row as written: pandas renames a repeated header ("scenario.1"), hiding the repeat.
    header_row = [str(c).strip() for c in header.iloc[0].fillna("")] if len(header) else []
    table.columns = [str(c).strip() for c in table.columns]
    table = table.fillna("").astype(str)
    table = table[(table.map(str.strip) != "").any(axis=1)]  # blank rows are not respondents
    if table.empty:
        raise EngagementDataError([f"{path}: no responses (a header row but no data rows)"])
    table.attrs["header"] = header_row
    return table


def _read_csv(path: Path) -> pd.DataFrame:
    # utf-8-sig reads plain UTF-8 too and drops a BOM; exports from Excel on Windows are cp1252.
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            # Blank lines are kept (and dropped later) so row numbers in messages match the file.
            table = pd.read_csv(path, dtype=str, keep_default_na=False, encoding=encoding, skip_blank_lines=False)
            header = pd.read_csv(path, dtype=str, keep_default_na=False, encoding=encoding, header=None, nrows=1)
            return table, header
        except UnicodeDecodeError:
            continue
        except pd.errors.EmptyDataError as error:
            raise EngagementDataError([f"{path}: the file has no header row"]) from error
        except pd.errors.ParserError as error:
            raise EngagementDataError([f"{path}: not a well-formed CSV file: {error}"]) from error
    raise EngagementDataError([f"{path}: text is neither UTF-8 nor Windows-1252"])


def _norm(text: str) -> str:
    """Text as matched: case and runs of spaces ignored; a whole number stored by Excel as "2.0" reads as "2"."""
    text = " ".join(str(text).split()).casefold()
    return text[:-2] if text.endswith(".0") and text[:-2].isdigit() else text


def _apply_mapping(raw: pd.DataFrame, path: Path, mapping: Mapping, codebook: Codebook):
    problems: list[str] = []
    headers = {_norm(h): h for h in raw.columns}
    found: dict[str, str] = {}
    for item in codebook.items:
        header = mapping.columns.get(item.name, item.name)
        actual = headers.get(_norm(header))
        if actual is not None:
            found[item.name] = actual
        elif item.required:
            problems.append(
                f"{path}: required column {header!r} (codebook item {item.name}) is missing; "
                f"columns in the file: {', '.join(repr(c) for c in raw.columns)}"
            )
    written = raw.attrs.get("header") or list(raw.columns)
    for name, actual in found.items():
        positions = [i for i, h in enumerate(written, 1) if _norm(h) == _norm(actual)]
        if len(positions) > 1:
            problems.append(
                f"{path}: column {actual!r} (codebook item {name}) appears {len(positions)} times in the header row "
                f"(columns {', '.join(map(str, positions))}); rename or remove all but one"
            )
    if problems:
        raise EngagementDataError(problems)

    missing = {_norm(m) for m in mapping.missing} | {""}  # a blank cell is always unanswered
    out = pd.DataFrame(index=raw.index)
    for item in codebook.items:
        if item.name not in found:
            out[item.name] = pd.Series(pd.NA, index=raw.index, dtype="object")
            continue
        header = found[item.name]
        cells = raw[header]
        if item.kind in ("id", "text"):
            out[item.name] = [pd.NA if _norm(v) in missing else v.strip() for v in cells]
            continue
        lookup = _label_lookup(item, mapping)
        separator = mapping.separators.get(item.name, MULTI_SEPARATOR)
        column = []
        for position, value in cells.items():  # the index is the data row as in the file (0 = row 2)
            if _norm(value) in missing:
                column.append(pd.NA)
                continue
            parts = [value] if item.kind == "single" else [p for p in value.split(separator) if p.strip()]
            codes = []
            for part in parts:
                code = lookup.get(_norm(part))
                if code is None:
                    problems.append(
                        f"{path}: row {position + 2}, column {header!r}: unknown answer {part.strip()!r} "
                        f"for {item.name} (known: {', '.join(sorted(set(lookup.values())))}; "
                        f"add it to the column-mapping file)"
                    )
                elif code not in codes:
                    codes.append(code)
            column.append(MULTI_SEPARATOR.join(codes) if codes else pd.NA)
        out[item.name] = column

    ids = out["respondent_id"]
    id_header = found["respondent_id"]
    for position in ids[ids.isna()].index:
        problems.append(f"{path}: row {position + 2}, column {id_header!r}: respondent id is empty")
    duplicated = ids[ids.notna() & ids.duplicated(keep=False)]
    for rid, rows in duplicated.groupby(duplicated).groups.items():
        row_numbers = ", ".join(str(r + 2) for r in rows)
        problems.append(f"{path}: rows {row_numbers}, column {id_header!r}: duplicate respondent id {rid!r}")
    if problems:
        raise EngagementDataError(problems)
    ignored = [c for c in raw.columns if c not in found.values()]
    absent = [item.name for item in codebook.items if item.name not in found and item.name != "data_status"]
    return out.reset_index(drop=True), ignored, absent


def _label_lookup(item: Item, mapping: Mapping) -> dict[str, str]:
    """Normalised label -> code. Codes and codebook labels are always understood."""
    lookup = {_norm(code): code for code in item.values}
    lookup.update({_norm(label): code for code, label in item.values.items()})
    lookup.update({_norm(label): code for label, code in mapping.values.get(item.name, {}).items()})
    return lookup


# --------------------------------------------------------------------------- completeness


def completeness(responses: pd.DataFrame) -> pd.DataFrame:
    """Respondents per role: all, complete, partial, and how many left each question unanswered.

    "Complete" means every required question answered (role, agreement, SRO time, scenario);
    everyone else is a partial response, kept in every analysis of the questions they answered.
    """
    required = [c for c in ("role", "sro_agree", "sro_time", "scenario") if c in responses]
    role = responses["role"].fillna("not given")
    complete = responses[required].notna().all(axis=1)
    table = pd.DataFrame({"role": role, "complete": complete})
    for item in ("sro_agree", "sro_time", "scenario"):
        table[f"no_answer_{item}"] = responses[item].isna()
    summary = table.groupby("role", sort=False).agg(
        respondents=("complete", "size"),
        complete=("complete", "sum"),
        **{c: (c, "sum") for c in table.columns if c.startswith("no_answer_")},
    )
    summary.insert(2, "partial", summary["respondents"] - summary["complete"])
    order = [*load_codebook().codes("role"), "not given"]
    summary = summary.reindex([r for r in order if r in summary.index])
    return summary.reset_index().astype({c: "int64" for c in summary.columns})
