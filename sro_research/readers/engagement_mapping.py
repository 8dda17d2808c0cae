"""The column-mapping file: which export header holds which codebook item, and which label means
which answer code (see data/engagement/mapping_example.yaml and data/engagement/README.md).

Keys (all optional): columns, values, separators, missing_values (the original format, unchanged),
and option_columns (one column per option, as SurveyMonkey writes), other (route an item's unknown
labels to a code, keeping the text only as a comment to scrub), header_rows (2 for SurveyMonkey;
Qualtrics' 3 rows are detected), ignored_columns (headers the report may name as not used; the
headers of other unused columns are never shown, only counted).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from sro_research.readers.errors import InputFileError

from sro_research.provenance import record_input

MAPPING_KEYS = {"columns", "values", "separators", "missing_values", "option_columns", "other", "header_rows",
                "ignored_columns"}


class EngagementDataError(InputFileError):
    """An export or mapping file that cannot be read as the codebook says."""

    what = "survey data"


@dataclass(frozen=True)
class Mapping:
    """Which export header holds each codebook item, and which labels mean which codes."""

    columns: dict[str, str]  # codebook name -> export header ('' : the export has no such column)
    values: dict[str, dict[str, str]]  # codebook name -> {export label -> code}
    missing: tuple[str, ...]  # labels that mean "no answer"
    separators: dict[str, str]  # multi-select item -> separator in the export
    path: Path | None
    option_columns: dict[str, dict[str, str]] = field(default_factory=dict)  # item -> {header: code}
    other: dict[str, str] = field(default_factory=dict)  # item -> code for labels the mapping does not know
    header_rows: int | None = None  # None: detect (1, or Qualtrics' 3)
    ignored_columns: tuple[str, ...] = ()  # headers declared as not used (e.g. metadata), named on the page

    @classmethod
    def identity(cls) -> "Mapping":
        """Headers and answers already spelled as the codebook (e.g. the shipped reconstruction)."""
        return cls(columns={}, values={}, missing=("",), separators={}, path=None)


class TextLoader(yaml.BaseLoader):
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


def _sections(raw, where: str, path: Path, problems: list[str]) -> dict[str, dict]:
    """`raw` as {item: {text: text}} (values, option_columns)."""
    if raw in (None, ""):
        return {}
    if not isinstance(raw, dict):
        problems.append(f"{path}: {where}: expected one 'item:' section per codebook item, found {_shape(raw)}")
        return {}
    return {name: _text_mapping(labels, f"{where}.{name}", path, problems) for name, labels in raw.items()}


def _shape(raw) -> str:
    if isinstance(raw, dict):
        return "a nested mapping" if any(isinstance(v, (dict, list)) for v in raw.values()) else "a mapping"
    return "a list" if isinstance(raw, list) else f"the text {raw!r}"


def read_mapping_yaml(path: Path, what: str, role: str, error: type[Exception]):
    """A mapping file's YAML, every scalar as written text (so `Yes` stays "Yes", `01` stays "01"),
    its checksum recorded; a missing file or invalid YAML is an `error` naming the file."""
    if not path.is_file():
        raise FileNotFoundError(f"{what} not found: {path}")
    record_input(path, role=role)
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=TextLoader) or {}
    except yaml.YAMLError as problem:
        raise error([f"{path.name}: not valid YAML: {problem}"]) from problem


def norm(text: str) -> str:
    """Text as matched: case and runs of spaces ignored; a whole number stored by Excel as "2.0" reads as "2"."""
    text = " ".join(str(text).split()).casefold()
    return text[:-2] if text.endswith(".0") and text[:-2].isdigit() else text


def load_mapping(path: str | os.PathLike | None, codebook) -> Mapping:
    """Read a column-mapping YAML; None means the export already uses codebook names and codes.

    Everything in it is read as written text, and any problem (wrong shape, unknown item or code,
    two labels that read the same but mean different codes, two items on one header) is reported
    with the key it is under.
    """
    if path is None:
        return Mapping.identity()
    path = Path(path)
    raw = read_mapping_yaml(path, "column-mapping file (mapping_path)", "engagement column mapping", EngagementDataError)
    if not isinstance(raw, dict):
        raise EngagementDataError([f"{path}: expected a mapping with 'columns' and 'values', found {type(raw).__name__}"])
    unknown = sorted(set(raw) - MAPPING_KEYS)
    if unknown:
        raise EngagementDataError([f"{path}: unknown key(s) {', '.join(map(repr, unknown))}; "
                                   f"allowed: {', '.join(sorted(MAPPING_KEYS))}"])
    problems: list[str] = []
    columns = _text_mapping(raw.get("columns"), "columns", path, problems)
    values = _sections(raw.get("values"), "values", path, problems)
    option_columns = _sections(raw.get("option_columns"), "option_columns", path, problems)
    other = _text_mapping(raw.get("other"), "other", path, problems)
    separators = _text_mapping(raw.get("separators"), "separators", path, problems)
    for name, separator in separators.items():
        if not separator:
            problems.append(f"{path}: separators.{name}: empty; write the character between chosen answers, e.g. \"|\"")
    missing = raw.get("missing_values", [""])
    if not isinstance(missing, list) or not all(isinstance(m, str) for m in missing):
        problems.append(f"{path}: missing_values: expected a list of labels, e.g. [\"\", \"N/A\"], found {_shape(missing)}")
        missing = [""]
    ignored = raw.get("ignored_columns", [])
    if not isinstance(ignored, list) or not all(isinstance(h, str) for h in ignored):
        problems.append(f"{path}: ignored_columns: expected a list of headers, e.g. [\"IP Address\"], found {_shape(ignored)}")
        ignored = []
    header_rows = raw.get("header_rows")
    if header_rows is not None:
        if header_rows not in ("1", "2", "3"):
            problems.append(f"{path}: header_rows: expected 1, 2 (SurveyMonkey) or 3 (Qualtrics), found {header_rows!r}")
            header_rows = None
        else:
            header_rows = int(header_rows)
    for name in [*columns, *values, *option_columns, *other, *separators]:
        if name not in codebook.names:
            problems.append(f"{path}: {name!r} is not a codebook item (items: {', '.join(codebook.names)})")
    for where, sections in (("values", {n: {label: code for label, code in v.items()} for n, v in values.items()}),
                            ("option_columns", option_columns)):
        for name, labels in sections.items():
            if name in codebook.names:
                _check_codes(path, where, name, labels, codebook, problems)
    for name, code in other.items():
        if name in codebook.names and code not in codebook.codes(name):
            problems.append(f"{path}: other.{name}: {code!r} is not a code of {name} ({', '.join(codebook.codes(name))})")
    for name in option_columns:
        if name in codebook.names and codebook.item(name).kind != "multi":
            problems.append(f"{path}: option_columns.{name}: {name} is not a multi-select item")
        if name in columns:
            problems.append(f"{path}: {name} is under both columns and option_columns; keep one")
    by_header: dict[str, str] = {}
    for name, header in [*columns.items(), *((n, h) for n, opts in option_columns.items() for h in opts)]:
        if not header:
            continue
        first = by_header.setdefault(norm(header), name)
        if first != name:
            problems.append(f"{path}: items {first} and {name} are both mapped to the header {header!r}; "
                            f"each header holds one item")
    if problems:
        raise EngagementDataError(problems)
    return Mapping(columns=columns, values=values, missing=tuple(missing), separators=separators, path=path,
                   option_columns=option_columns, other=other, header_rows=header_rows,
                   ignored_columns=tuple(ignored))


def _check_codes(path, where, name, labels, codebook, problems) -> None:
    allowed = codebook.codes(name)
    read_as: dict[str, str] = {}
    for label, code in labels.items():
        if code not in allowed:
            problems.append(f"{path}: {where}.{name}: label {label!r} maps to {code!r}, "
                            f"which is not a code of {name} ({', '.join(allowed)})")
        first = read_as.setdefault(norm(label), label)
        if first != label and labels[first] != code:
            problems.append(f"{path}: {where}.{name}: labels {first!r} and {label!r} read the same (case and spaces "
                            f"are ignored) but map to different codes ({labels[first]!r}, {code!r})")
