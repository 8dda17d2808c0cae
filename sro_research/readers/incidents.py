"""A district's behavior-incident export and its enrollment-by-school-and-race file, read through a mapping.

The export has one row per student involved in an incident: incident id, date, school, behavior level
(1-5, the district's Behavior Standards), whether an SRO was involved, the outcome (none, suspension,
citation, arrest, referral to the county attorney), and the student's race/ethnicity, grade and sex.
Districts name these columns and their labels in their own way: a mapping file (YAML, see
data/annual_review/incidents_mapping_example.yaml) says which header holds which field and which label
means which code, as the engagement survey's mapping does.

Every problem is reported with the file, row (the header is row 1), column and the rule it breaks, and
never with the value in the cell: a cell of an incident export describes a student.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from sro_research.provenance import record_input
from sro_research.readers.engagement_mapping import norm, read_mapping_yaml
from sro_research.readers.errors import InputFileError
from sro_research.readers.text_files import read_csv_table
from sro_research.synthetic import incidents as shipped

SYNTHETIC = "synthetic"

# One home for the race/ethnicity groups: the seven federal categories CRDC reports, in its order.
RACES = {
    "hispanic": "Hispanic or Latino",
    "american_indian": "American Indian or Alaska Native",
    "asian": "Asian",
    "pacific_islander": "Native Hawaiian or Pacific Islander",
    "black": "Black",
    "white": "White",
    "multiracial": "Two or more races",
}
OUTCOMES = {
    "none": "No removal or police action",
    "suspension": "Suspension",
    "citation": "Citation",
    "arrest": "Arrest",
    "county_attorney_referral": "Referral to the county attorney",
}
POLICE_OUTCOMES = ("citation", "arrest", "county_attorney_referral")
BEHAVIOR_LEVELS = ("1", "2", "3", "4", "5")
YES_NO = ("yes", "no")
SEXES = ("female", "male")
GRADES = ("PK", "K", *[str(g) for g in range(1, 13)])
SCHOOL_TYPES = ("elementary", "middle", "high", "other")

# field -> (allowed codes or None for free text, required?)
INCIDENT_FIELDS = {
    "incident_id": (None, True),
    "date": (None, True),
    "school": (None, True),
    "behavior_level": (BEHAVIOR_LEVELS, True),
    "sro_involved": (YES_NO, True),
    "outcome": (tuple(OUTCOMES), True),
    "race_ethnicity": (tuple(RACES), False),
    "grade": (GRADES, False),
    "sex": (SEXES, False),
}
ENROLLMENT_FIELDS = {
    "school_year": (None, True),
    "school": (None, True),
    "school_type": (SCHOOL_TYPES, True),
    "race_ethnicity": (tuple(RACES), True),
    "students": (None, True),
}
OPTIONAL_FIELDS = ("data_status",)  # in both files: "synthetic" marks demonstration data
MAPPING_KEYS = {"columns", "enrollment_columns", "values", "missing_values"}
_SCHOOL_YEAR = re.compile(r"^(\d{4})-(\d{2})$")


class IncidentDataError(InputFileError):
    """An incident export, enrollment file or mapping that breaks a rule; `problems` lists each one."""

    what = "incident data"


@dataclass(frozen=True)
class IncidentMapping:
    columns: dict[str, str]  # field -> header in the export
    enrollment_columns: dict[str, str]  # field -> header in the enrollment file
    values: dict[str, dict[str, str]]  # field -> {label in the files: code}
    missing: tuple[str, ...]
    path: Path | None

    @classmethod
    def identity(cls) -> "IncidentMapping":
        return cls({}, {}, {}, ("",), None)


def load_incident_mapping(path: str | os.PathLike | None) -> IncidentMapping:
    """Read a mapping YAML (None: files already use the field names and codes)."""
    if path is None:
        return IncidentMapping.identity()
    raw = read_mapping_yaml(Path(path), "incident mapping file", "incident export mapping", IncidentDataError)
    if not isinstance(raw, dict) or set(raw) - MAPPING_KEYS:
        raise IncidentDataError([f"{path.name}: top-level keys must be among {', '.join(sorted(MAPPING_KEYS))}"])
    problems = []
    known = {**INCIDENT_FIELDS, **ENROLLMENT_FIELDS}
    columns = dict(raw.get("columns") or {})
    enrollment_columns = dict(raw.get("enrollment_columns") or {})
    for key, fields, table in (("columns", INCIDENT_FIELDS, columns),
                               ("enrollment_columns", ENROLLMENT_FIELDS, enrollment_columns)):
        for name in table:
            if name not in fields and name not in OPTIONAL_FIELDS:
                problems.append(f"{path.name}: {key}.{name}: not a field (fields: {', '.join([*fields, *OPTIONAL_FIELDS])})")
    values = {}
    for name, labels in (raw.get("values") or {}).items():
        allowed = known.get(name, (None,))[0]
        if not allowed or not isinstance(labels, dict):
            problems.append(f"{path.name}: values.{name}: not a coded field with 'label: code' lines")
            continue
        for code in labels.values():
            if code not in allowed:
                problems.append(f"{path.name}: values.{name}: a label maps to {code!r}, not a code of {name} ({', '.join(allowed)})")
        values[name] = {norm(label): code for label, code in labels.items()}
    missing = raw.get("missing_values", [""])
    if not isinstance(missing, list):
        problems.append(f"{path.name}: missing_values: expected a list of labels")
        missing = [""]
    if problems:
        raise IncidentDataError(problems)
    return IncidentMapping(columns, enrollment_columns, values, tuple(norm(m) for m in missing), path)


@dataclass
class IncidentData:
    """The export's rows on the package's codes, with enrollment beside them.

    An incident involving several students has one row per student, so an incident id may repeat.
    """

    incidents: pd.DataFrame  # one row per student per incident; school_year and school_type added
    enrollment: pd.DataFrame  # school_year, school, school_type, race_ethnicity, students
    sources: dict[str, Path]
    sha256: dict[str, str]

    @property
    def is_synthetic(self) -> bool:
        marks = [frame.get("data_status") for frame in (self.incidents, self.enrollment)]
        return any(m is not None and bool((m == SYNTHETIC).any()) for m in marks)

    def years(self) -> list[str]:
        return sorted(set(self.incidents["school_year"]) | set(self.enrollment["school_year"]))


def school_year_of(date: pd.Timestamp) -> str:
    """School years run July to June: 2017-10-03 is in 2017-18."""
    start = date.year if date.month >= 7 else date.year - 1
    return f"{start}-{(start + 1) % 100:02d}"


def _read_csv(path: Path, role: str) -> pd.DataFrame:
    if not path.is_file():
        raise FileNotFoundError(f"{role} not found: {path}")
    record_input(path, role=role)
    return read_csv_table(path, error=IncidentDataError)


def _coded(raw: pd.DataFrame, path: Path, fields: dict, headers: dict[str, str], mapping: IncidentMapping,
           problems: list[str]) -> pd.DataFrame:
    """The file's columns renamed to fields and labels turned into codes; problems named, values not quoted."""
    found = {norm(c): c for c in raw.columns}
    out = pd.DataFrame(index=raw.index)
    for name, (allowed, required) in {**fields, **{f: (None, False) for f in OPTIONAL_FIELDS}}.items():
        header = headers.get(name, name)
        column = found.get(norm(header))
        if column is None:
            if required:
                problems.append(f"{path.name}: row 1 (header), column {header!r}: missing column (rule: required field {name})")
            continue
        labels = mapping.values.get(name, {})
        codes = []
        for position, cell in enumerate(raw[column], start=2):
            key = norm(cell)
            if key in mapping.missing:
                if required:
                    problems.append(f"{path.name}: row {position}, column {column!r}: empty (rule: {name} is required)")
                codes.append(pd.NA)
                continue
            code = labels.get(key, str(cell).strip())
            if allowed is not None:
                by_norm = {norm(c): c for c in allowed}
                if norm(code) not in by_norm:
                    problems.append(f"{path.name}: row {position}, column {column!r}: label not in the mapping "
                                    f"(rule: values.{name} must map every label to one of {', '.join(allowed)})")
                    codes.append(pd.NA)
                    continue
                code = by_norm[norm(code)]
            codes.append(code)
        out[name] = pd.Series(codes, index=raw.index, dtype="object")
    return out


def read_enrollment(path: str | os.PathLike, mapping: IncidentMapping) -> pd.DataFrame:
    path = Path(path)
    raw = _read_csv(path, "enrollment by school and race")
    problems: list[str] = []
    table = _coded(raw, path, ENROLLMENT_FIELDS, mapping.enrollment_columns, mapping, problems)
    if problems:
        raise IncidentDataError(problems)
    for position, (year, students) in enumerate(zip(table["school_year"], table["students"]), start=2):
        if not _SCHOOL_YEAR.match(str(year)):
            problems.append(f"{path.name}: row {position}, column school_year: not a school year such as 2017-18")
        if not str(students).isdigit():
            problems.append(f"{path.name}: row {position}, column students: not a whole number of students")
    duplicated = table.duplicated(["school_year", "school", "race_ethnicity"], keep="first")
    for position in table.index[duplicated] + 2:
        problems.append(f"{path.name}: row {position}: a second row for the same school year, school and race/ethnicity")
    types = table.groupby(["school_year", "school"])["school_type"].nunique()
    for year, _school in types[types > 1].index:
        problems.append(f"{path.name}: column school_type: one school has two types in {year}")
    if problems:
        raise IncidentDataError(problems)
    return table.astype({"students": "int64"})


def read_incidents(path: str | os.PathLike | None = None, enrollment_path: str | os.PathLike | None = None,
                   mapping: str | os.PathLike | IncidentMapping | None = None) -> IncidentData:
    """Read the export and the enrollment file through `mapping`; raise IncidentDataError listing every problem.

    With no export (`path` None) the shipped SYNTHETIC export, enrollment file and example mapping are
    read. Rules: an export comes with its enrollment file; every required column is present; dates are
    dates; coded fields carry a label the mapping knows; every incident's school is in the enrollment
    file for that school year.
    """
    if path is None:
        path, enrollment_path = shipped.incidents_path(), shipped.enrollment_path()
        mapping = mapping or shipped.mapping_path()
    elif enrollment_path is None:
        raise IncidentDataError([f"{Path(path).name}: no enrollment file given (rule: rates need the enrollment "
                                 "by school and race beside the export)"])
    if not isinstance(mapping, IncidentMapping):
        mapping = load_incident_mapping(mapping)
    path = Path(path)
    enrollment = read_enrollment(enrollment_path, mapping)
    raw = _read_csv(path, "incident export")
    problems: list[str] = []
    table = _coded(raw, path, INCIDENT_FIELDS, mapping.columns, mapping, problems)
    if problems:
        raise IncidentDataError(problems)
    header = {name: mapping.columns.get(name, name) for name in INCIDENT_FIELDS}
    dates = pd.to_datetime(table["date"], errors="coerce", format="mixed")
    for position in table.index[dates.isna()] + 2:
        problems.append(f"{path.name}: row {position}, column {header['date']!r}: not a date (rule: YYYY-MM-DD or M/D/YYYY)")
    table["date"] = dates
    table["school_year"] = [school_year_of(d) if pd.notna(d) else pd.NA for d in dates]
    known = set(zip(enrollment["school_year"], enrollment["school"]))
    for position, key in enumerate(zip(table["school_year"], table["school"]), start=2):
        if pd.notna(key[0]) and key not in known:
            problems.append(f"{path.name}: row {position}, column {header['school']!r}: school not in the enrollment "
                            f"file for its school year (rule: every incident's school needs its enrollment)")
    if problems:
        raise IncidentDataError(problems)
    types = enrollment.drop_duplicates(["school_year", "school"]).set_index(["school_year", "school"])["school_type"]
    table["school_type"] = [types[key] for key in zip(table["school_year"], table["school"])]
    sha = {"incidents": record_input(path, role="incident export"),
           "enrollment": record_input(enrollment_path, role="enrollment by school and race")}
    sources = {"incidents": path, "enrollment": Path(enrollment_path)}
    if mapping.path:
        sources["mapping"] = mapping.path
        sha["mapping"] = record_input(mapping.path, role="incident export mapping")
    return IncidentData(incidents=table, enrollment=enrollment, sources=sources, sha256=sha)
