"""The Civil Rights Data Collection (CRDC) public-use school files: police contacts, suspensions, enrollment.

The U.S. Department of Education's Office for Civil Rights publishes the CRDC for every public school
(https://ocrdata.ed.gov, "Data Download"). Files are kept as downloaded, one folder per school year
under `crdc_dir`, e.g. crdc_dir/2017-18/... (the zip's own subfolders may stay):

- 2015-16: one wide school file, `CRDC 2015-16 School Data.csv`;
- 2017-18 and 2020-21: one file per module: `Enrollment.csv`, `Suspensions.csv`,
  `Referrals and Arrests.csv`, `School Support.csv` (the school-level ones, under a `SCH` folder
  when the LEA-level files of the same name sit beside them).

Column names follow the files: SCH_ENR_{race}_{sex} (enrollment), SCH_DISCWODIS_REF_{race}_{sex} and
SCH_DISCWDIS_REF_IDEA_{race}_{sex} (students referred to law enforcement, without and with
disabilities), SCH_DISCWODIS_ARR_* / SCH_DISCWDIS_ARR_IDEA_* (school-related arrests),
SCH_DISCWODIS_SINGOOS_* / _MULTOOS_* and SCH_DISCWDIS_SINGOOS_IDEA_* / _MULTOOS_IDEA_* (students
with one / more than one out-of-school suspension), SCH_FTESECURITY_LEO and SCH_FTESECURITY_GUA (sworn
law enforcement officer and security guard FTE). Races: HI, AM, AS, HP, BL, WH, TR; sexes M, F.

CRDC counts STUDENTS referred or arrested, not incidents. Negative values are reserve codes (not
applicable, missing, suppressed); they become missing, with the code and its meaning kept.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from sro_research.provenance import record_input
from sro_research.readers.errors import InputFileError
from sro_research.readers.incidents import RACES
from sro_research.readers.text_files import read_csv_table, read_header

MPS_LEAID = "2721240"
CRDC_URL = "https://ocrdata.ed.gov"
CRDC_RACES = {"HI": "hispanic", "AM": "american_indian", "AS": "asian", "HP": "pacific_islander",
              "BL": "black", "WH": "white", "TR": "multiracial"}
assert set(CRDC_RACES.values()) == set(RACES)
CRDC_SEXES = {"M": "male", "F": "female"}
ID_COLUMNS = ("LEA_STATE", "LEAID", "SCHID", "SCH_NAME")
FTE_COLUMNS = {"SCH_FTESECURITY_LEO": "law_enforcement_fte", "SCH_FTESECURITY_GUA": "security_guard_fte"}
# measure -> column stems summed for it (students without disabilities + students served under IDEA)
MEASURES = {
    "enrolled": ("SCH_ENR_{r}_{s}",),
    "referred": ("SCH_DISCWODIS_REF_{r}_{s}", "SCH_DISCWDIS_REF_IDEA_{r}_{s}"),
    "arrested": ("SCH_DISCWODIS_ARR_{r}_{s}", "SCH_DISCWDIS_ARR_IDEA_{r}_{s}"),
    "suspended_out_of_school": ("SCH_DISCWODIS_SINGOOS_{r}_{s}", "SCH_DISCWODIS_MULTOOS_{r}_{s}",
                                "SCH_DISCWDIS_SINGOOS_IDEA_{r}_{s}", "SCH_DISCWDIS_MULTOOS_IDEA_{r}_{s}"),
}
MEASURE_LABELS = {"enrolled": "Enrolled", "referred": "Referred to law enforcement",
                  "arrested": "School-related arrest", "suspended_out_of_school": "Out-of-school suspension"}
# Reserve codes as the years' public-use file manuals list them.
RESERVE_CODES = {
    -2: "small cell value (suppressed)", -3: "skip logic failure", -4: "missing optional data",
    -5: "action plan", -6: "force certified", -7: "system error", -8: "EDFacts missing data",
    -9: "not applicable / skipped", -11: "suppressed data", -12: "suppressed for privacy", -13: "missing DIND skip logic",
}
_MODULES = {"enrolled": "Enrollment.csv", "referred": "Referrals and Arrests.csv",
            "arrested": "Referrals and Arrests.csv", "suspended_out_of_school": "Suspensions.csv",
            "fte": "School Support.csv"}
LAYOUTS = {  # school year -> {file name: measures in it}; a new year is one new entry
    "2015-16": {"CRDC 2015-16 School Data.csv": [*MEASURES, "fte"]},
    "2017-18": {name: [m for m, f in _MODULES.items() if f == name] for name in dict.fromkeys(_MODULES.values())},
    "2020-21": {name: [m for m, f in _MODULES.items() if f == name] for name in dict.fromkeys(_MODULES.values())},
}
SYNTHETIC_PREFIX = "SYNTHETIC"  # school names of the test fixture start with it


class CrdcLayoutError(InputFileError):
    """A CRDC file that is missing, ambiguous, or not in the year's official layout."""

    what = "CRDC files"


def measure_columns(measure: str) -> list[str]:
    if measure == "fte":
        return list(FTE_COLUMNS)
    return [stem.format(r=r, s=s) for stem in MEASURES[measure] for r in CRDC_RACES for s in CRDC_SEXES]


def required_columns(year: str, file_name: str) -> list[str]:
    return [*ID_COLUMNS, *[c for m in LAYOUTS[year][file_name] for c in measure_columns(m)]]


def available_years(crdc_dir: str | os.PathLike | None) -> list[str]:
    """The layout years that have a folder under `crdc_dir` (none when it is None)."""
    if crdc_dir is None:
        return []
    root = Path(crdc_dir)
    if not root.is_dir():
        raise FileNotFoundError(f"crdc_dir {root} is not a folder; point it at the downloaded CRDC files or leave it unset")
    return [year for year in LAYOUTS if (root / year).is_dir()]


def find_file(crdc_dir: str | os.PathLike, year: str, name: str) -> Path:
    """The school-level file `name` of `year` under crdc_dir/year/ (its zip's subfolders allowed)."""
    folder = Path(crdc_dir) / year
    matches = sorted(p for p in folder.rglob(name) if p.is_file())
    if len(matches) > 1:
        matches = [p for p in matches if "SCH" in p.parts] or matches
    if not matches:
        raise CrdcLayoutError(f"{folder}: no file named {name!r} (rule: the {year} CRDC layout has it; "
                              f"download the public-use files from {CRDC_URL})")
    if len(matches) > 1:
        raise CrdcLayoutError(f"{folder}: {len(matches)} files named {name!r}; keep only the school-level one")
    return matches[0]


def _read(path: Path, year: str) -> pd.DataFrame:
    header, _, _ = read_header(path, CrdcLayoutError)
    missing = [c for c in required_columns(year, path.name) if c not in header]
    if missing:
        shown = ", ".join(missing[:6]) + (f" and {len(missing) - 6} more" if len(missing) > 6 else "")
        raise CrdcLayoutError(f"{path.name}: row 1 (header): missing column(s) {shown} "
                              f"(rule: the official {year} CRDC school-file layout)")
    table = read_csv_table(path, columns=required_columns(year, path.name), error=CrdcLayoutError)
    table["LEAID"] = table["LEAID"].str.strip().str.zfill(7)
    table["COMBOKEY"] = table["LEAID"] + table["SCHID"].str.strip().str.zfill(5)
    return table


def _numbers(table: pd.DataFrame, column: str, path: Path) -> pd.Series:
    values = pd.to_numeric(table[column].str.strip(), errors="coerce")
    bad = table.index[values.isna()]
    if len(bad):
        raise CrdcLayoutError(f"{path.name}: row {bad[0] + 2}, column {column}: not a number "
                              f"(rule: CRDC counts are numbers, negative ones reserve codes)")
    return values


@dataclass
class CrdcYear:
    year: str
    counts: pd.DataFrame  # long: COMBOKEY, LEAID, LEA_STATE, measure, race, sex, count (NaN if reserved), reserve_code
    staff: pd.DataFrame  # per school: COMBOKEY, LEAID, LEA_STATE, law_enforcement_fte, security_guard_fte
    reserve: pd.DataFrame  # per column, reserve code and meaning: how many schools carry it
    files: dict[str, str]  # file name -> sha256

    @property
    def is_synthetic(self) -> bool:
        return bool(self.counts.attrs.get("synthetic", False))


def read_crdc_year(crdc_dir: str | os.PathLike, year: str) -> CrdcYear:
    """Read one year's school files; raise CrdcLayoutError naming file, column and rule on a wrong layout."""
    if year not in LAYOUTS:
        raise CrdcLayoutError(f"no CRDC layout for {year}; known: {', '.join(LAYOUTS)}")
    long_parts, staff, files, reserve_rows, synthetic = [], None, {}, [], False
    for name, measures in LAYOUTS[year].items():
        path = find_file(crdc_dir, year, name)
        files[name] = record_input(path, role=f"CRDC {year} public-use school file")
        table = _read(path, year)
        synthetic |= bool(table["SCH_NAME"].str.upper().str.startswith(SYNTHETIC_PREFIX).any())
        ids = table[["COMBOKEY", "LEAID", "LEA_STATE"]]
        for measure in measures:
            raw = {c: _numbers(table, c, path) for c in measure_columns(measure)}
            for column, values in raw.items():
                for code, schools in values[values < 0].value_counts().items():
                    reserve_rows.append({"file": name, "column": column, "reserve_code": int(code),
                                         "meaning": RESERVE_CODES.get(int(code), "reserve code not in the manuals' lists"),
                                         "schools": int(schools)})
            if measure == "fte":
                staff = ids.copy()
                for column, label in FTE_COLUMNS.items():
                    staff[label] = raw[column].where(raw[column] >= 0)
                continue
            long_parts.append(_long(ids, raw, measure))
    counts = pd.concat(long_parts, ignore_index=True)
    counts.attrs["synthetic"] = synthetic
    reserve = pd.DataFrame(reserve_rows, columns=["file", "column", "reserve_code", "meaning", "schools"])
    return CrdcYear(year, counts, staff, reserve, files)


def _long(ids: pd.DataFrame, raw: dict[str, pd.Series], measure: str) -> pd.DataFrame:
    """One row per school, race and sex; a count is missing when any of its parts is a reserve code."""
    parts = []
    for r, race in CRDC_RACES.items():
        for s, sex in CRDC_SEXES.items():
            columns = [stem.format(r=r, s=s) for stem in MEASURES[measure]]
            frame = pd.concat([raw[c] for c in columns], axis=1)
            reserved = frame.lt(0)
            part = ids.assign(measure=measure, race=race, sex=sex,
                              count=frame.where(~reserved).sum(axis=1, min_count=1).where(~reserved.any(axis=1)),
                              reserve_code=frame.where(reserved).min(axis=1).astype("Int64"))
            parts.append(part)
    return pd.concat(parts, ignore_index=True)


def read_crdc(crdc_dir: str | os.PathLike | None, years: list[str] | None = None) -> dict[str, CrdcYear]:
    """Every available year under `crdc_dir` (or just `years`); {} when crdc_dir is None."""
    return {year: read_crdc_year(crdc_dir, year) for year in (years or available_years(crdc_dir))}
