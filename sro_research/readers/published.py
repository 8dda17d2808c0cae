"""Published figures, each with its source: the CSV datasets in data/published/.

The folder is a Frictionless data package: `datapackage.json` declares every CSV and its schema,
`sources.csv` holds title, publisher, year and URL of every source, and every figure row names one
of them in `source_id`. `load_published(name)` validates the whole package first, so a malformed
file stops every report (and the tests) with a message naming the file, row and field.

Row numbers in messages count the header as row 1, as a spreadsheet shows them.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from sro_research.paths import data_dir
from sro_research.provenance import record_input
from sro_research.readers.errors import InputFileError
from sro_research.readers.text_files import read_csv_table, read_header

PACKAGE_FILE = "datapackage.json"
SOURCES = "sources"
FIGURE_COLUMNS = [
    "figure_id", "measure", "group", "school_year", "value", "value_text", "se",
    "unit", "denominator", "source_id", "location", "flags", "note",
]
# value_text that prints a plain number, e.g. "84,100", "10.5", "43%", "$130,000".
_PRINTED_NUMBER = re.compile(r"^\$?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?%?$")


class PublishedDataError(InputFileError):
    """A file in data/published/ breaks its schema; `problems` lists each one (file, row, field)."""

    what = "the published figures"

    def __init__(self, problems: list[str], folder: Path | None = None):
        if folder:
            self.what = f"the published figures in {folder}"
        super().__init__(problems)


def published_dir(folder: str | os.PathLike | None = None) -> Path:
    """The data package folder: `folder` if given, else data/published/ of this project."""
    return Path(folder) if folder is not None else data_dir() / "published"


def _descriptor(folder: Path) -> dict:
    path = folder / PACKAGE_FILE
    if not path.is_file():
        raise PublishedDataError([f"{PACKAGE_FILE}: file not found"], folder)
    try:
        descriptor = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise PublishedDataError([f"{PACKAGE_FILE}: not valid JSON ({error})"], folder) from error
    if not isinstance(descriptor.get("resources"), list) or not descriptor["resources"]:
        raise PublishedDataError([f"{PACKAGE_FILE}: no 'resources' list"], folder)
    return descriptor


def _resources(folder: Path) -> dict[str, dict]:
    return {resource.get("name", ""): resource for resource in _descriptor(folder)["resources"]}


def list_published(folder: str | os.PathLike | None = None) -> list[str]:
    """Names of the figure datasets (and `definitions`); `sources` is loaded with `load_sources`."""
    return [name for name in _resources(published_dir(folder)) if name != SOURCES]


# --- validation -------------------------------------------------------------------------------


def _header_problems(folder: Path, resources: dict[str, dict]) -> dict[str, list[str]]:
    """Missing, extra or misplaced columns, per resource: said once, plainly, before row checks."""
    found: dict[str, list[str]] = {}
    for name, resource in resources.items():
        path = folder / resource.get("path", "")
        if not resource.get("path") or not path.is_file():
            found[name] = [f"{resource.get('path') or name}: file declared in {PACKAGE_FILE} not found"]
            continue
        expected = [field["name"] for field in resource.get("schema", {}).get("fields", [])]
        header, _, _ = read_header(path, PublishedDataError)
        if header == expected:
            continue
        issues = []
        missing = [column for column in expected if column not in header]
        extra = [column for column in header if column not in expected]
        if missing:
            issues.append(f"{path.name}: row 1 (header), field(s) {', '.join(missing)}: missing column")
        if extra:
            issues.append(f"{path.name}: row 1 (header), field(s) {', '.join(extra)}: column not in the schema")
        if not issues:
            issues.append(f"{path.name}: row 1 (header): columns out of order; expected {', '.join(expected)}")
        found[name] = issues
    return found


def _frictionless_problems(folder: Path, skip: set[str]) -> list[str]:
    from frictionless import Package

    report = Package(str(folder / PACKAGE_FILE)).validate()
    problems = [f"{PACKAGE_FILE}: {error.message}" for error in report.errors]
    for task in report.tasks:
        if task.name in skip:  # its header is wrong: every row would repeat the same complaint
            continue
        file = Path(task.place).name
        for error in task.errors:
            row = getattr(error, "row_number", None)
            field = getattr(error, "field_name", None) or ", ".join(getattr(error, "field_names", None) or [])
            if error.type == "foreign-key":
                cells = ", ".join(error.field_cells)
                message = f"{cells!r} is not a {'/'.join(error.reference_field_names)} in {error.reference_name}.csv"
            elif error.type == "type-error":
                kind = re.search(r'type is "(\w+)', error.note)
                message = f"{error.cell!r} is not a valid {kind.group(1) if kind else 'value'}"
            elif error.type == "constraint-error" and '"required"' in error.note:
                message = "empty, but every row needs it"
            elif error.type == "constraint-error":
                message = f"{getattr(error, 'cell', '')!r} breaks the schema's {error.note}"
            else:
                message = error.message
            place = f"row {row}" if row else "header"
            problems.append(f"{file}: {place}, field {field or '?'}: {message}")
    return problems


def _own_problems(folder: Path, resources: dict[str, dict], skip: set[str]) -> list[str]:
    """What the schema cannot say: sources with a URL, ids unique across files, value = value_text."""
    problems: list[str] = []
    sources: dict[str, str] = {}
    if SOURCES in resources and SOURCES not in skip:
        table = _read_csv(folder / resources[SOURCES]["path"])
        sources = dict(zip(table["source_id"], table["url"]))
    seen_ids: dict[str, str] = {}
    for name, resource in resources.items():
        if name in skip or name == SOURCES:
            continue
        path = folder / resource["path"]
        table = _read_csv(path)
        used = set()
        for position, row in enumerate(table.to_dict("records"), start=2):
            where = f"{path.name}: row {position}"
            source_id = row.get("source_id", "")
            used.add(source_id)
            if source_id in sources and not str(sources[source_id]).strip():
                problems.append(f"{where}, field source_id: source {source_id!r} has no URL in sources.csv")
            if "figure_id" not in row:
                continue
            figure_id = row["figure_id"]
            if figure_id in seen_ids and seen_ids[figure_id] != path.name:
                problems.append(f"{where}, field figure_id: {figure_id!r} is also used in {seen_ids[figure_id]}")
            seen_ids.setdefault(figure_id, path.name)
            problems.extend(_value_text_problems(where, row))
        declared = {entry.get("path") for entry in resource.get("sources", [])}
        wanted = {url for source_id, url in sources.items() if source_id in used}
        if sources and declared != wanted:
            problems.append(
                f"{PACKAGE_FILE}: resource {name}, field sources: lists {sorted(declared - wanted) or 'none'} "
                f"not cited by its rows and misses {sorted(wanted - declared) or 'none'} that are"
            )
    listed = {resource.get("path") for resource in resources.values()}
    for path in sorted(folder.glob("*.csv")):
        if path.name not in listed:
            problems.append(f"{path.name}: not declared in {PACKAGE_FILE}, so it has no schema")
    return problems


def _value_text_problems(where: str, row: dict) -> list[str]:
    text, value = str(row["value_text"]).strip(), row["value"]
    if not _PRINTED_NUMBER.match(text):
        return []
    printed = float(text.lstrip("$").rstrip("%").replace(",", ""))
    try:
        number = float(value) if str(value).strip() else None
    except ValueError:  # frictionless already names a non-numeric value
        return []
    if number is None:
        return [f"{where}, field value: empty although value_text prints the number {text!r}"]
    if abs(number - printed) > 1e-9:
        return [f"{where}, field value: {value} does not match value_text {text!r}"]
    return []


def _read_csv(path: Path) -> pd.DataFrame:
    # Everything as text first: the schema decides types, and "" must stay "" (not NaN) in text columns.
    return read_csv_table(path, error=PublishedDataError)


def validate_published(folder: str | os.PathLike | None = None) -> None:
    """Check every file of the package; raise PublishedDataError naming file, row and field.

    `load_published_datasets` validates once for all the datasets a notebook loads.
    """
    root = published_dir(folder).resolve()
    if not root.is_dir():
        raise PublishedDataError([f"folder {root} not found"])
    resources = _resources(root)
    headers = _header_problems(root, resources)
    skip = set(headers)
    problems = [issue for issues in headers.values() for issue in issues]
    problems += _frictionless_problems(root, skip)
    problems += _own_problems(root, resources, skip)
    if problems:
        raise PublishedDataError(problems, root)


# --- loading ----------------------------------------------------------------------------------


def _typed(table: pd.DataFrame, resource: dict) -> pd.DataFrame:
    for field in resource["schema"]["fields"]:
        name = field["name"]
        if field["type"] == "number":
            table[name] = pd.to_numeric(table[name].replace("", None)).astype("float64")
        elif field["type"] == "integer":
            table[name] = pd.to_numeric(table[name].replace("", None)).astype("Int64")
    return table


def _sources(root: Path, resources: dict[str, dict]) -> pd.DataFrame:
    path = root / resources[SOURCES]["path"]
    record_input(path, role="published figures: sources")
    return _typed(_read_csv(path), resources[SOURCES])


def load_sources(folder: str | os.PathLike | None = None) -> pd.DataFrame:
    """sources.csv: source_id, title, publisher, year, date, url, note."""
    root = published_dir(folder)
    validate_published(root)
    return _sources(root, _resources(root))


def citation(source: dict | pd.Series, short: bool = False) -> str:
    """The one way a source is cited: title (publisher, year), URL; or, `short`, publisher, date, URL.

    The short form is enough to find the source; the full title is in the sources table. A source
    whose real title was not recorded is cited by publisher, date and URL, saying so: a paraphrase
    would be quoted as the headline.
    """
    year = source.get("year")
    year_text = "" if year is None or pd.isna(year) else str(int(year))
    when = source.get("date") or year_text
    if short:
        return f"{source['publisher']}{', ' + when if when else ''}, {source['url']}"
    if not source.get("title"):
        return f"{source['publisher']}, {when or 'date not recorded'} (title not recorded), {source['url']}"
    return f"{source['title']} ({source['publisher']}{', ' + year_text if year_text else ''}), {source['url']}"


def load_published(name: str, folder: str | os.PathLike | None = None) -> pd.DataFrame:
    """One dataset as a DataFrame, validated, with its provenance in `df.attrs` (see `load_published_datasets`)."""
    return load_published_datasets([name], folder)[name]


def load_published_datasets(names, folder: str | os.PathLike | None = None) -> dict[str, pd.DataFrame]:
    """Several datasets {name: DataFrame}, the package validated and each file read once.

    attrs: dataset, title, description, path, sha256, `source` (a citation line per source, joined
    by "; "), `sources` ({source_id: {title, publisher, year, date, url, note}}).
    Text columns hold "" where empty; `value` and `se` are floats with NaN where empty.
    """
    root = published_dir(folder)
    resources = _resources(root)
    unknown = [name for name in names if name not in resources]
    if unknown:
        raise KeyError(f"no published dataset {unknown[0]!r} in {root}; known: {', '.join(sorted(resources))}")
    validate_published(root)
    record_input(root / PACKAGE_FILE, role="published figures: schema")
    sources = _sources(root, resources)
    indexed = sources.set_index("source_id")
    return {name: sources if name == SOURCES else _dataset(root, name, resources[name], indexed) for name in names}


def _dataset(root: Path, name: str, resource: dict, sources: pd.DataFrame) -> pd.DataFrame:
    path = root / resource["path"]
    sha = record_input(path, role=f"published figures: {name}")
    table = _typed(_read_csv(path), resource)
    used = sources.loc[sorted(set(table["source_id"]))]
    table.attrs = {
        "dataset": name,
        "title": resource.get("title", name),
        "description": resource.get("description", ""),
        "path": str(path),
        "sha256": sha,
        "source": "; ".join(citation(row) for _, row in used.iterrows()),
        "sources": {
            source_id: {key: (None if pd.isna(value) else value) for key, value in row.items()}
            for source_id, row in used.iterrows()
        },
    }
    return table


def figure(table: pd.DataFrame, **where) -> pd.Series:
    """The one row of `table` matching every column=value in `where` (e.g. figure_id="A05")."""
    mask = pd.Series(True, index=table.index)
    for column, wanted in where.items():
        if column not in table.columns:
            raise KeyError(f"{table.attrs.get('dataset', 'table')} has no column {column!r}")
        mask &= table[column] == wanted
    rows = table[mask]
    if len(rows) != 1:
        dataset = table.attrs.get("dataset", "table")
        raise PublishedDataError([f"{dataset}: {len(rows)} rows match {where}, expected exactly 1"])
    return rows.iloc[0]


def flags(row: pd.Series | dict) -> set[str]:
    """The row's flags as a set, e.g. {"approximate", "unverified"}."""
    return {flag for flag in str(row.get("flags", "") or "").split(";") if flag}


def figure_datasets(folder: str | os.PathLike | None = None) -> list[str]:
    """The datasets whose rows are figures (first column figure_id), in package order."""
    return [
        name for name, resource in _resources(published_dir(folder)).items()
        if [field["name"] for field in resource.get("schema", {}).get("fields", [])][:1] == ["figure_id"]
    ]


@dataclass
class Figures:
    """Every published figure by figure_id (with the dataset it is in), and the sources they cite.

    Load it once (`Figures.load`) and pass it to whatever checks or quotes figures.
    """

    rows: pd.DataFrame
    sources: pd.DataFrame

    @classmethod
    def load(cls, folder: str | os.PathLike | None = None) -> "Figures":
        tables = load_published_datasets([*figure_datasets(folder), SOURCES], folder)
        sources = tables.pop(SOURCES)
        rows = pd.concat([table.assign(dataset=name) for name, table in tables.items()], ignore_index=True)
        return cls(rows.set_index("figure_id", drop=False), sources.set_index("source_id"))

    def row(self, figure_id: str) -> pd.Series:
        if figure_id not in self.rows.index:
            raise KeyError(f"figure {figure_id} is needed but data/published/ does not have it")
        return self.rows.loc[figure_id]

    def value(self, figure_id: str) -> float:
        number = self.row(figure_id)["value"]
        if pd.isna(number):
            raise ValueError(f"figure {figure_id} has no numeric value (printed {self.text(figure_id)!r})")
        return float(number)

    def text(self, figure_id: str) -> str:
        return str(self.row(figure_id)["value_text"])

    def flagged(self, figure_id: str, flag: str) -> bool:
        return flag in flags(self.row(figure_id))

    def dataset(self, name: str) -> pd.DataFrame:
        """The figures of one dataset, in file order."""
        return self.rows[self.rows["dataset"] == name]

    def printed(self, figure_id: str) -> str:
        """The figure as printed, with its unit when the print is bare numbers ('8 to 24 hours per year')."""
        row = self.row(figure_id)
        text = str(row["value_text"])
        bare = all(word.replace(",", "").replace(".", "").isdigit() for word in text.split(" to "))
        return f"{text} {row['unit']}" if bare and row["unit"] not in ("", "percent", "calendar year") else text

    def source(self, source_id: str) -> pd.Series:
        if source_id not in self.sources.index:
            raise KeyError(f"source {source_id!r} is not in sources.csv")
        return self.sources.loc[source_id]

    def cite(self, source_id: str, short: bool = True) -> str:
        """`citation` of one source by its id."""
        return citation(self.source(source_id), short=short)
