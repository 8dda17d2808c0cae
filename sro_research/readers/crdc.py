"""The Civil Rights Data Collection (CRDC) public-use school files: police contacts, suspensions, enrollment.

The U.S. Department of Education's Office for Civil Rights publishes the CRDC for every public school
(https://ocrdata.ed.gov, "Data Download"). Files are kept as downloaded, one folder per school year
under `crdc_dir` (crdc_dir/2017-18/<the zip's own folders>/...). Which files, folders, columns and
reserve codes each year has is in `crdc_layouts`.

CRDC counts STUDENTS referred or arrested, not incidents. Negative values are reserve codes (not
applicable, missing, suppressed); they become missing, with the code and its meaning kept, and a code
the year's documentation does not list is a layout error. Counts stay split by race, sex and
disability (without / with, under IDEA), as the files give them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sro_research.provenance import record_input
from sro_research.readers.crdc_layouts import (
    CRDC_RACES,
    CRDC_URL,
    FTE_COLUMNS,
    ID_COLUMNS,
    JJ_VALUES,
    LAYOUTS,
    MEASURE_LABELS,
    MEASURES,
    RESERVE_CODES,
    RESERVE_CODES_BY_YEAR,
    SCHOOL_FOLDERS,
    SEX_NAMES,
    STATES_50_DC,
    count_columns,
    measure_cells,
    measure_columns,
    required_columns,
)
from sro_research.readers.errors import InputFileError
from sro_research.readers.text_files import read_csv_table

__all__ = ["CRDC_RACES", "CRDC_URL", "LAYOUTS", "MEASURES", "MEASURE_LABELS", "RESERVE_CODES",
           "RESERVE_CODES_BY_YEAR", "CrdcLayoutError", "CrdcYear", "available_years", "districts_in_state",
           "measure_columns", "read_crdc", "read_crdc_year", "required_columns"]

SYNTHETIC_PREFIX = "SYNTHETIC"  # school names of the test fixture start with it
COUNT_COLUMNS = ["COMBOKEY", "LEAID", "LEA_STATE", "measure", "race", "sex", "disability", "count", "reserve_code"]
SCHOOL_COLUMNS = ["COMBOKEY", "LEAID", "LEA_STATE", "LEA_NAME", "SCH_NAME", "jj", "in_50_states_dc"]
RESERVE_COLUMNS = ["file", "column", "reserve_code", "meaning", "schools"]


class CrdcLayoutError(InputFileError):
    """A CRDC file that is missing, ambiguous, or not in the year's official layout."""

    what = "CRDC files"


def available_years(crdc_dir: str | os.PathLike | None) -> list[str]:
    """The layout years that have a folder under `crdc_dir` (none when it is None)."""
    if crdc_dir is None:
        return []
    root = Path(crdc_dir)
    if not root.is_dir():
        raise FileNotFoundError(f"crdc_dir {root} is not a folder; point it at the downloaded CRDC files or leave it unset")
    return [year for year in LAYOUTS if (root / year).is_dir()]


def find_file(crdc_dir: str | os.PathLike, year: str, name: str) -> Path:
    """The school-level file `name` of `year` under crdc_dir/year/ (the zip's subfolders allowed; a copy
    under a school folder, SCH or School, wins over one elsewhere; LEA-level files are never read)."""
    folder = Path(crdc_dir) / year
    matches = sorted(p for p in folder.rglob(name) if p.is_file() and "LEA" not in p.relative_to(folder).parts)
    if len(matches) > 1:
        matches = [p for p in matches if set(SCHOOL_FOLDERS) & set(p.relative_to(folder).parts)] or matches
    published = LAYOUTS[year].published_folder
    if not matches:
        where = f" (as downloaded: {year}/{published}/{name})" if published else ""
        raise CrdcLayoutError(f"{folder}: no school-level file named {name!r}{where} (rule: the {year} CRDC layout "
                              f"has it; download the public-use files from {CRDC_URL})")
    if len(matches) > 1:
        raise CrdcLayoutError(f"{folder}: {len(matches)} files named {name!r}; keep only the school-level one")
    return matches[0]


def _read(path: Path, year: str) -> pd.DataFrame:
    """The file's id and count columns only; ids as text (leading zeros kept), counts as numbers."""
    numeric, required = count_columns(year, path.name), required_columns(year, path.name)
    dtypes = {**dict.fromkeys(required, str), **dict.fromkeys(numeric, "float64")}
    try:
        table = read_csv_table(path, columns=required, dtype=dtypes, error=CrdcLayoutError)
    except CrdcLayoutError:
        _raise_not_a_number(path, numeric)
        raise
    missing = [c for c in required if c not in table.columns]
    if missing:
        shown = ", ".join(missing[:6]) + (f" and {len(missing) - 6} more" if len(missing) > 6 else "")
        raise CrdcLayoutError(f"{path.name}: row 1 (header): missing column(s) {shown} "
                              f"(rule: the official {year} CRDC school-file layout)")
    empty = table[numeric].isna().to_numpy()
    if empty.any():
        row, col = np.argwhere(empty)[0]
        raise CrdcLayoutError(f"{path.name}: row {row + 2}, column {numeric[col]}: not a number "
                              f"(rule: CRDC counts are numbers, negative ones reserve codes)")
    text = table[list(ID_COLUMNS)].fillna("")
    leaid = text["LEAID"].str.strip().str.zfill(7)
    ids = pd.DataFrame({"COMBOKEY": leaid + text["SCHID"].str.strip().str.zfill(5), "LEAID": leaid,
                        "LEA_STATE": text["LEA_STATE"].str.strip().str.upper(), "LEA_NAME": text["LEA_NAME"].str.strip(),
                        "SCH_NAME": text["SCH_NAME"].str.strip(),
                        "JJ": text["JJ"]})
    return pd.concat([ids, table[numeric]], axis=1)


def _raise_not_a_number(path: Path, numeric: list[str]) -> None:
    """Find the cell that is not a number (the fast numeric read only says that one is not)."""
    text = read_csv_table(path, columns=numeric, error=CrdcLayoutError)
    for column in numeric:
        values = pd.to_numeric(text[column].str.strip(), errors="coerce")
        bad = text.index[values.isna()]
        if len(bad):
            raise CrdcLayoutError(f"{path.name}: row {bad[0] + 2}, column {column}: not a number "
                                  f"(rule: CRDC counts are numbers, negative ones reserve codes)")


def _reserve_rows(table: pd.DataFrame, columns: list[str], path: Path, year: str) -> list[dict]:
    """Per column and reserve code, how many schools carry it; a code the year does not list is an error."""
    rows, problems = [], []
    valid = RESERVE_CODES_BY_YEAR[year]
    for column in columns:
        values = table[column]
        for code, schools in values[values < 0].value_counts().sort_index().items():
            if code not in valid:
                problems.append(f"{path.name}: column {column}: reserve code {code:g} in {schools} school(s) "
                                f"(rule: {year} reserve codes are {', '.join(str(c) for c in sorted(valid))})")
                continue
            rows.append({"file": path.name, "column": column, "reserve_code": int(code),
                         "meaning": RESERVE_CODES[int(code)], "schools": int(schools)})
    if problems:
        raise CrdcLayoutError(problems)
    return rows


def _schools(table: pd.DataFrame, path: Path) -> pd.DataFrame:
    jj_text = table["JJ"].str.strip().str.upper()
    jj = jj_text.map(JJ_VALUES)
    if jj.isna().any():
        row = int(np.flatnonzero(jj.isna().to_numpy())[0])
        raise CrdcLayoutError(f"{path.name}: row {row + 2}, column JJ: not Yes or No "
                              f"(rule: JJ marks juvenile-justice facilities)")
    return pd.DataFrame({"COMBOKEY": table["COMBOKEY"], "LEAID": table["LEAID"], "LEA_STATE": table["LEA_STATE"],
                         "LEA_NAME": table["LEA_NAME"], "SCH_NAME": table["SCH_NAME"], "jj": jj.astype(bool),
                         "in_50_states_dc": table["LEA_STATE"].isin(STATES_50_DC)})


@dataclass
class CrdcYear:
    """One school year's CRDC files. In `counts` the ids and labels (COMBOKEY ... disability) are
    categorical, as a national year has about ten million rows: compare and group them as text (pandas
    groups by observed categories only); `.astype(str)` before pivoting them into new columns."""

    year: str
    counts: pd.DataFrame  # long: COUNT_COLUMNS (count NaN when reserved; reserve_code Int64 then, else NA)
    staff: pd.DataFrame  # per school: COMBOKEY, LEAID, LEA_STATE, law_enforcement_fte, security_guard_fte
    reserve: pd.DataFrame  # per file, column and reserve code (with its meaning): how many schools carry it
    files: dict[str, str]  # file name -> sha256
    schools: pd.DataFrame  # per school: SCHOOL_COLUMNS (jj: juvenile-justice facility)

    @property
    def is_synthetic(self) -> bool:
        return bool(self.counts.attrs.get("synthetic", False))


def read_crdc_year(crdc_dir: str | os.PathLike, year: str) -> CrdcYear:
    """Read one year's school files; raise CrdcLayoutError naming file, column and rule on a wrong layout."""
    if year not in LAYOUTS:
        raise CrdcLayoutError(f"no CRDC layout for {year}; known: {', '.join(LAYOUTS)}")
    blocks, school_parts, staff, files, reserve_rows, offset = [], [], None, {}, [], 0
    for name, measures in LAYOUTS[year].files.items():
        path = find_file(crdc_dir, year, name)
        files[name] = record_input(path, role=f"CRDC {year} public-use school file")
        table = _read(path, year)
        reserve_rows += _reserve_rows(table, count_columns(year, name), path, year)
        school_parts.append(_schools(table, path))
        for measure in measures:
            if measure == "fte":
                staff = table[["COMBOKEY", "LEAID", "LEA_STATE"]].copy()
                for column, label in FTE_COLUMNS.items():
                    staff[label] = table[column].where(table[column] >= 0)
            else:
                blocks += _count_blocks(table, year, measure, offset)
        offset += len(table)
    rows = pd.concat(school_parts, ignore_index=True)  # every file's schools, in file order
    counts = _long(rows, blocks)
    schools = rows.drop_duplicates("COMBOKEY", ignore_index=True)
    counts.attrs["synthetic"] = bool(schools["SCH_NAME"].str.upper().str.startswith(SYNTHETIC_PREFIX).any())
    reserve = pd.DataFrame(reserve_rows, columns=RESERVE_COLUMNS)
    return CrdcYear(year, counts, staff, reserve, files, schools)


def _count_blocks(table: pd.DataFrame, year: str, measure: str, offset: int) -> list[dict]:
    """One block per (disability, race, sex) cell of `measure`: the file's rows, value and reserve code.
    A count is missing when any of its parts (one / more than one suspension) is a reserve code; the
    code kept is then the most negative part's."""
    blocks = []
    for disability, r, s, columns in measure_cells(year, measure):
        frame = table[list(columns)].to_numpy(dtype="float64")
        reserved = frame < 0
        blocks.append({"row": offset, "n": len(frame), "measure": measure, "race": CRDC_RACES[r],
                       "sex": SEX_NAMES[s], "disability": disability,
                       "count": np.where(reserved, 0, frame).sum(axis=1),
                       "code": np.where(reserved, frame, 0).min(axis=1)})
    return blocks


def _long(rows: pd.DataFrame, blocks: list[dict]) -> pd.DataFrame:
    """The long counts frame, built from integer codes in one go: a national year is about ten million
    rows, so ids and labels are categorical (codes into the schools' ids), never per-row Python strings."""
    row_index = np.concatenate([np.arange(b["row"], b["row"] + b["n"]) for b in blocks])
    code = np.concatenate([b["code"] for b in blocks])
    reserved = code < 0
    data = {}
    for column in ("COMBOKEY", "LEAID", "LEA_STATE"):
        ids = pd.Categorical(rows[column].to_numpy(dtype=object))
        data[column] = pd.Categorical.from_codes(ids.codes[row_index], ids.categories)
    for column in ("measure", "race", "sex", "disability"):
        labels = list(dict.fromkeys(b[column] for b in blocks))
        codes = np.concatenate([np.full(b["n"], labels.index(b[column]), dtype=np.int8) for b in blocks])
        data[column] = pd.Categorical.from_codes(codes, labels)
    data["count"] = np.where(reserved, np.nan, np.concatenate([b["count"] for b in blocks]))
    data["reserve_code"] = pd.arrays.IntegerArray(code.astype("int64"), ~reserved)
    return pd.DataFrame(data, columns=COUNT_COLUMNS)


def districts_in_state(crdc_dir: str | os.PathLike, state: str) -> list[dict]:
    """The school districts (LEAs) of `state` in the newest CRDC year under `crdc_dir`, as its enrollment
    file publishes them: one record per LEA id (text, leading zeros kept), with its name and how many
    schools it has, in LEA-id order. A build's fan-out (`fan_out` in reports.toml) lists its reports with it."""
    years = available_years(crdc_dir)
    if not years:
        raise CrdcLayoutError(f"{crdc_dir}: no CRDC school-year folder ({', '.join(LAYOUTS)}); "
                              f"download the public-use files from {CRDC_URL}")
    year = years[-1]
    name = next(file for file, measures in LAYOUTS[year].files.items() if "enrolled" in measures)
    path = find_file(crdc_dir, year, name)
    columns = ["LEA_STATE", "LEAID", "LEA_NAME", "SCHID"]
    table = read_csv_table(path, columns=columns, error=CrdcLayoutError)
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise CrdcLayoutError(f"{path.name}: row 1 (header): missing column(s) {', '.join(missing)} "
                              f"(rule: the official {year} CRDC school-file layout)")
    record_input(path, role=f"CRDC {year} public-use school file (the state's districts)")
    table = table.assign(LEA_STATE=table["LEA_STATE"].str.strip().str.upper(),
                         LEAID=table["LEAID"].str.strip().str.zfill(7), LEA_NAME=table["LEA_NAME"].str.strip())
    mine = table[table["LEA_STATE"] == state.strip().upper()]
    return [{"leaid": leaid, "district_name": group["LEA_NAME"].iloc[0], "schools": int(group["SCHID"].nunique())}
            for leaid, group in mine.groupby("LEAID", sort=True)]


def read_crdc(crdc_dir: str | os.PathLike | None, years: list[str] | None = None) -> dict[str, CrdcYear]:
    """Every available year under `crdc_dir` (or just `years`); {} when crdc_dir is None."""
    return {year: read_crdc_year(crdc_dir, year) for year in (years or available_years(crdc_dir))}
