"""The NCES School Survey on Crime and Safety (SSOCS) public-use files, harmonized across years.

`load_ssocs()` reads the 2005-06, 2007-08, 2015-16, 2017-18 and 2019-20 files (SPSS .sav or SAS
.sas7bdat, through pyreadstat) into one tidy frame, one row per school and year.

Indicators by domain, peer groups and `estimate_table` are in `sro_research.analysis.ssocs_estimates`
(pure: it takes the frame this module returns).

The files are committed under data/ssocs/ (see its README: NCES source page, release, provenance
and SHA-256 of each); every file read is checked against data/ssocs/SHA256SUMS.

Codes and their handling (see data/ssocs/README.md and the NCES codebooks):
  * Text-stored codes (FR_LVEL ' 1', PERCWHT '4', 2005-06 counts '03', ...) are stripped and
    read as numbers; any value outside a variable's documented codes is an error naming it.
  * -1 = legitimate skip. In 2005-06 and 2007-08 the staff counts are skipped when the school
    answered C0220 = 2 (no security staff at least once a week), so a skip means zero staff. A -1
    count from a school that answered C0220 = 1 would contradict that and is an error.
  * -8 = don't know (FR_CATMN, 2005-06): the school's minority category is missing, so it sits
    in no minority domain and not in the peer group; it still counts in every other estimate.
  * Counts are top-coded in the public files; only "more than zero" is used, so top-coding
    does not affect any indicator here.
  * Indicators a year does not measure are missing (NaN) for that year, never zero.
"""

from __future__ import annotations

import hashlib
import io
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat

from sro_research.paths import data_dir
from sro_research.provenance import record_input
from sro_research.readers.errors import InputFileError

SSOCS_DIR_ENV = "SSOCS_DIR"
NCES_DATA_URL = "https://nces.ed.gov/surveys/ssocs/data_products.asp"
N_REPLICATES = 50
WEIGHT = "FINALWGT"
# Harmonized replicate-weight names: 2005-06/2007-08 call them REPWGT, later years REPFWT.
REPWEIGHTS = [f"REPWGT{i}" for i in range(1, N_REPLICATES + 1)]

LEVELS = ["Primary", "Middle", "High school", "Combined"]
LEVEL_GROUPS = ["Primary", "Middle", "High school/combined"]
SIZES = ["Less than 300", "300 to 499", "500 to 999", "1,000 or more"]
# 2005-06 used the older CCD locale (FR_LOC4, "urban fringe"); later years the urban-centric
# codes (FR_URBAN, "suburb"). The two are close but not the same definition, so both labels exist.
LOCALES = ["City", "Suburb", "Urban fringe", "Town", "Rural"]
MINORITY = ["Less than 5 percent", "5 to less than 20 percent", "20 to less than 50 percent", "50 percent or more"]
PERCENT_WHITE = ["More than 95 percent", "More than 80 to 95 percent", "More than 50 to 80 percent", "50 percent or less"]

INDICATORS = {
    "any_security_staff": "Security guards, SROs or sworn law enforcement at school at least once a week",
    "security_full_time": "Any full-time security staff (guards, SROs or sworn law enforcement)",
    "security_part_time_only": "Part-time security staff only (no full-time)",
    "sworn_law_enforcement": (
        "Sworn law enforcement officers, including SROs, at school at least once a week "
        "(C0610 from 2015-16; 2005-06 derived from SRO and sworn-officer counts; not in the 2007-08 file)"
    ),
    "any_sro": "Any full- or part-time School Resource Officer (2005-06 counts C0236_R, C0238_R)",
}
# The same indicators in a few words, for table columns and chart labels.
INDICATOR_SHORT = {
    "any_security_staff": "Any security staff",
    "security_full_time": "Full-time security staff",
    "security_part_time_only": "Part-time only",
    "sworn_law_enforcement": "Sworn law enforcement (incl. SROs)",
    "any_sro": "Any SRO",
}
DOMAINS = {
    "all": "All public schools",
    "level": "School level",
    "level_grouped": "School level (high school and combined together, as Digest 233.70a)",
    "enrollment_size": "Enrollment size",
    "locale": "Locale",
    "minority": "Percent minority enrollment",
    "percent_white": "Percent non-Hispanic White enrollment",
    "peer_group": "Peer group: schools like the district's own",
}
ALL_SCHOOLS = "All public schools"


class SSOCSChecksumError(InputFileError):
    """A file's SHA-256 differs from the one data/ssocs/SHA256SUMS records for its name."""

    what = "the NCES SSOCS files"


class SSOCSFileMissing(InputFileError, FileNotFoundError):
    """A year's public-use file is not in the SSOCS folder (or there is no folder)."""

    what = "the NCES SSOCS files"


class SSOCSLayoutError(InputFileError):
    """A file's columns do not match its year's layout."""

    what = "the NCES SSOCS files"


class SSOCSCodeError(InputFileError):
    """A variable holds a code its year's codebook does not document."""

    what = "the NCES SSOCS files"


@dataclass(frozen=True)
class YearLayout:
    """Where one year's variables live in its public-use file."""

    year: str
    files: tuple[str, ...]  # accepted file names, first found wins
    repweight_prefix: str
    level: str
    size: str
    locale: str
    locale_labels: tuple[str, ...]
    minority: str | None = None  # 1 <5% ... 4 50%+ minority
    percent_white: str | None = None  # 1 >95% ... 4 <=50% White
    any_staff_item: str | None = None  # C0220, 2005-06 and 2007-08
    full_time_counts: tuple[str, ...] = ()
    part_time_counts: tuple[str, ...] = ()
    sro_counts: tuple[str, ...] = ()
    sworn_item: str | None = None  # C0610, 2015-16 on
    sworn_counts: tuple[str, ...] = ()  # 2005-06: SRO and other sworn-officer counts
    notes: tuple[str, ...] = field(default=())

    @property
    def repweights(self) -> list[str]:
        return [f"{self.repweight_prefix}{i}" for i in range(1, N_REPLICATES + 1)]

    @property
    def columns(self) -> list[str]:
        items = [
            "SCHID", WEIGHT, self.level, self.size, self.locale, self.minority, self.percent_white,
            self.any_staff_item, *self.full_time_counts, *self.part_time_counts, *self.sro_counts, self.sworn_item, *self.sworn_counts,
        ]
        unique = list(dict.fromkeys(c for c in items if c))
        return unique + self.repweights


URBANCENTRIC = ("City", "Suburb", "Town", "Rural")
LAYOUTS: dict[str, YearLayout] = {
    layout.year: layout
    for layout in [
        YearLayout(
            "2005-06", ("pu_ssocs06_spss.sav", "pu_ssocs06.sav", "pu_ssocs06.sas7bdat"), "REPWGT",
            "FR_LVEL", "FR_SIZE", "FR_LOC4", ("City", "Urban fringe", "Town", "Rural"), minority="FR_CATMN",
            any_staff_item="C0220", full_time_counts=("C0232_R", "C0236_R", "C0240_R"),
            part_time_counts=("C0234_R", "C0238_R", "C0242_R"), sro_counts=("C0236_R", "C0238_R"),
            sworn_counts=("C0236_R", "C0238_R", "C0240_R", "C0242_R"),
            notes=(
                "Locale is the older CCD code (urban fringe), not the urban-centric one.",
                "Sworn law enforcement is derived from the SRO and other sworn-officer counts "
                "(no single item that year); it gives 36.3%, as NCES's published 36%.",
            ),
        ),
        YearLayout(
            "2007-08", ("pu_ssocs08_spss.sav", "pu_ssocs08.sav", "pu_ssocs08.sas7bdat"), "REPWGT",
            "FR_LVEL", "FR_SIZE", "FR_URBAN", URBANCENTRIC, minority="FR_CATMN",
            any_staff_item="C0220", full_time_counts=("SEC_FT",), part_time_counts=("SEC_PT",),
            notes=("The public file has no SRO or sworn-officer split.",),
        ),
        YearLayout(
            "2015-16", ("pu_ssocs16.sas7bdat", "pu_ssocs16.sav"), "REPFWT",
            "FR_LVEL", "FR_SIZE", "FR_URBAN", URBANCENTRIC, percent_white="PERCWHT",
            full_time_counts=("SEC_FT16",), part_time_counts=("SEC_PT16",), sworn_item="C0610",
            notes=("Only percent White (PERCWHT) is recorded; 'high minority' means 50 percent or less White.",),
        ),
        YearLayout(
            "2017-18", ("pu_ssocs18.sav", "pu_ssocs18.sas7bdat"), "REPFWT",
            "FR_LVEL", "FR_SIZE", "FR_URBAN", URBANCENTRIC,
            full_time_counts=("SEC_FT18",), part_time_counts=("SEC_PT18",), sworn_item="C0610",
            notes=("No minority or percent-White variable in the public file.",),
        ),
        YearLayout(
            "2019-20", ("pu_ssocs20.sav", "pu_ssocs20.sas7bdat"), "REPFWT",
            "FR_LVELX", "FR_SIZE", "FR_URBAN", URBANCENTRIC, minority="PERMINX", percent_white="PERCWHTX",
            full_time_counts=("SEC_FT20",), part_time_counts=("SEC_PT20",), sworn_item="C0610",
            notes=(
                "Level is FR_LVELX (3 high/secondary, 4 combined/other).",
                "Collected in spring 2020, during COVID-19 school closures (see NCES 2024-054).",
            ),
        ),
    ]
}
YEARS = tuple(LAYOUTS)
INDICATOR_YEARS = {
    "any_security_staff": YEARS,
    "security_full_time": YEARS,
    "security_part_time_only": YEARS,
    "sworn_law_enforcement": tuple(y for y, lay in LAYOUTS.items() if lay.sworn_item or lay.sworn_counts),
    "any_sro": tuple(y for y, lay in LAYOUTS.items() if lay.sro_counts),
}


# -- finding and reading the files ------------------------------------------------------------


def default_ssocs_dir() -> Path:
    """The repository's copy of the files: data/ssocs."""
    return data_dir() / "ssocs"


def find_ssocs_dir(ssocs_dir: str | os.PathLike | None = None) -> Path | None:
    """The SSOCS folder: `ssocs_dir`, else $SSOCS_DIR, else data/ssocs (None if that is absent).

    A folder that is named but does not exist is an error, not a reason to fall back quietly to
    published figures: a scheduled run with a mistyped path must fail, not publish a thinner report.
    """
    for source, candidate in (("ssocs_dir", ssocs_dir), (f"${SSOCS_DIR_ENV}", os.environ.get(SSOCS_DIR_ENV))):
        if candidate:
            folder = Path(candidate).expanduser()
            if not folder.is_dir():
                raise SSOCSFileMissing(
                    f"{source} is {str(candidate)!r}, which is not a folder. Point it at the folder holding the "
                    f"NCES SSOCS public-use files (NCES publishes them at {NCES_DATA_URL}), or unset it to "
                    f"build from published figures only."
                )
            return folder.resolve()
    default = default_ssocs_dir()
    return default.resolve() if default.is_dir() else None


def known_checksums() -> dict[str, str]:
    """File name -> SHA-256 of the NCES public-use files, from data/ssocs/SHA256SUMS."""
    listing = default_ssocs_dir() / "SHA256SUMS"
    if not listing.is_file():
        raise SSOCSFileMissing(f"{listing} is missing: it lists the SHA-256 every SSOCS file is checked against")
    checksums = {}
    for number, line in enumerate(listing.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        digest, _, name = line.strip().partition("  ")
        if len(digest) != 64 or not name:
            raise SSOCSChecksumError(f"{listing} line {number}: expected '<sha256>  <file name>', got {line!r}")
        checksums[name.lstrip("*")] = digest.lower()
    return checksums


def verify_checksum(path: Path, sha256: str, checksums: dict[str, str]) -> None:
    """Stop when a file's SHA-256 is not the one recorded for its name (a changed or partial copy);
    `checksums` is `known_checksums()`, read once per load."""
    expected = checksums.get(path.name)
    if expected is None:
        raise SSOCSChecksumError(
            f"{path}: no SHA-256 recorded for {path.name!r} in data/ssocs/SHA256SUMS; add the NCES release's "
            f"checksum there (and to data/ssocs/README.md) before using a new file"
        )
    if sha256 != expected:
        raise SSOCSChecksumError(
            f"{path}: SHA-256 {sha256} is not the recorded {expected} for {path.name} (data/ssocs/SHA256SUMS); "
            f"the file differs from the NCES release this project was checked against"
        )


def check_years(years=None) -> list[str]:
    """The requested year labels, in survey order; ValueError for a year that has no layout."""
    if years is None:
        return list(YEARS)
    years = [years] if isinstance(years, str) else list(years)
    if not years:
        raise ValueError(f"no SSOCS years requested; valid years: {', '.join(YEARS)}")
    unknown = [y for y in years if y not in LAYOUTS]
    if unknown:
        raise ValueError(f"unknown SSOCS year(s) {', '.join(map(repr, unknown))}; valid years: {', '.join(YEARS)}")
    return [y for y in YEARS if y in years]


def expected_files(years=None) -> dict[str, str]:
    """The public-use file name each year is read from (its first accepted name)."""
    return {year: LAYOUTS[year].files[0] for year in check_years(years)}


def ssocs_file(year: str, folder: Path | None) -> Path:
    """The path of a year's public-use file in `folder` (from `find_ssocs_dir`, resolved once per load);
    SSOCSFileMissing says what was looked for, and where."""
    layout = LAYOUTS[check_years([year])[0]]
    if folder is not None:
        for name in layout.files:
            if (folder / name).is_file():
                return folder / name
    where = (
        f"in {folder}"
        if folder
        else f"because no SSOCS folder was given (no ssocs_dir, ${SSOCS_DIR_ENV}={os.environ.get(SSOCS_DIR_ENV)!r})"
    )
    raise SSOCSFileMissing(
        f"SSOCS {year} public-use file {' or '.join(layout.files)} not found {where}. "
        f"NCES publishes it at {NCES_DATA_URL}; the repository keeps a copy in data/ssocs/. "
        f"Put it in a folder and pass ssocs_dir or set ${SSOCS_DIR_ENV}."
    )


def read_year(year: str, path: Path, checksums: dict[str, str] | None) -> pd.DataFrame:
    """One year's raw columns (only those the layout needs) from `path`, opened once: its bytes are
    hashed, checked against `checksums` (data/ssocs/SHA256SUMS; None skips the check, for made-up
    test files), and parsed from memory; a column the layout needs and the file lacks is an error."""
    layout = LAYOUTS[check_years([year])[0]]
    content = path.read_bytes()
    sha256 = record_input(path, role=f"SSOCS {year} public-use file", sha256=hashlib.sha256(content).hexdigest())
    if checksums is not None:
        verify_checksum(path, sha256, checksums)
    reader = pyreadstat.read_sas7bdat if path.suffix.lower() == ".sas7bdat" else pyreadstat.read_sav
    frame, _ = reader(io.BytesIO(content), usecols=layout.columns)  # a column the file lacks is left out
    missing = [c for c in layout.columns if c not in frame.columns]
    if missing:
        raise SSOCSLayoutError(
            f"{path.name} does not match the SSOCS {year} layout: missing column(s) {', '.join(missing)}"
        )
    return frame


# -- harmonizing ------------------------------------------------------------------------------


def _codes(frame: pd.DataFrame, column: str, allowed, year: str) -> pd.Series:
    """A code column as numbers (text codes stripped), refusing undocumented codes."""
    raw = frame[column]
    if raw.dtype == object or pd.api.types.is_string_dtype(raw):
        raw = raw.astype("string").str.strip().replace("", pd.NA)
    values = pd.to_numeric(raw, errors="coerce")
    bad = raw[values.isna() & raw.notna()].unique().tolist()
    if bad:
        raise SSOCSCodeError(f"SSOCS {year} {column}: non-numeric values {bad[:5]}")
    if values.isna().any():
        raise SSOCSCodeError(f"SSOCS {year} {column}: {int(values.isna().sum())} blank values")
    if allowed is not None:
        unexpected = sorted(set(values.unique()) - set(allowed))
        if unexpected:
            raise SSOCSCodeError(
                f"SSOCS {year} {column}: undocumented code(s) {unexpected}; expected {sorted(allowed)}"
            )
    return values.astype(float)


def _labels(codes: pd.Series, labels, categories) -> pd.Categorical:
    mapping = {float(i + 1): label for i, label in enumerate(labels)}
    return pd.Categorical(codes.map(mapping), categories=categories, ordered=True)


def _counts(frame: pd.DataFrame, columns, gate: pd.Series | None, year: str) -> pd.Series:
    """Whether any of the count columns is above zero; a legitimate skip (-1) means none."""
    total = pd.Series(0.0, index=frame.index)
    for column in columns:
        values = _codes(frame, column, None, year)
        if (values < -1).any() or (values % 1 != 0).any():
            raise SSOCSCodeError(f"SSOCS {year} {column}: counts must be whole numbers >= 0 or -1 (skip)")
        skipped = values == -1
        if gate is not None and (skipped & (gate == 1)).any():
            raise SSOCSCodeError(
                f"SSOCS {year} {column}: legitimate skip (-1) for {int((skipped & (gate == 1)).sum())} "
                f"school(s) that reported security staff (C0220 = 1)"
            )
        if gate is None and skipped.any():
            raise SSOCSCodeError(f"SSOCS {year} {column}: legitimate skip (-1) where no skip pattern exists")
        total += values.where(~skipped, 0.0)
    return total > 0


def harmonize(raw: pd.DataFrame, year: str) -> pd.DataFrame:
    """One year's raw columns as the harmonized tidy frame (see `load_ssocs`)."""
    layout = LAYOUTS[year]
    out = pd.DataFrame(index=raw.index)
    school = raw["SCHID"]
    if pd.api.types.is_numeric_dtype(school):
        school = school.astype("Int64").astype("string")
    out["school_id"] = school.astype("string").str.strip()
    out["year"] = year
    level = _codes(raw, layout.level, {1, 2, 3, 4}, year)
    out["level"] = _labels(level, LEVELS, LEVELS)
    out["level_grouped"] = _labels(level.clip(upper=3), LEVEL_GROUPS, LEVEL_GROUPS)
    out["enrollment_size"] = _labels(_codes(raw, layout.size, {1, 2, 3, 4}, year), SIZES, SIZES)
    out["locale"] = _labels(_codes(raw, layout.locale, {1, 2, 3, 4}, year), layout.locale_labels, LOCALES)

    high_minority = pd.Series(np.nan, index=raw.index)
    out["minority"] = pd.Categorical([None] * len(raw), categories=MINORITY, ordered=True)
    out["percent_white"] = pd.Categorical([None] * len(raw), categories=PERCENT_WHITE, ordered=True)
    if layout.percent_white:
        white = _codes(raw, layout.percent_white, {1, 2, 3, 4}, year)
        out["percent_white"] = _labels(white, PERCENT_WHITE, PERCENT_WHITE)
        high_minority = (white == 4).astype(float)  # 50 percent or less White
    if layout.minority:
        # -8 = don't know: no category, so no minority domain and unknown peer membership.
        minority = _codes(raw, layout.minority, {1, 2, 3, 4, -8}, year).replace(-8.0, np.nan)
        out["minority"] = _labels(minority, MINORITY, MINORITY)
        high_minority = (minority == 4).astype(float).where(minority.notna())
    out["high_minority"] = high_minority

    gate = _codes(raw, layout.any_staff_item, {1, 2}, year) if layout.any_staff_item else None
    full_time = _counts(raw, layout.full_time_counts, gate, year)
    part_time = _counts(raw, layout.part_time_counts, gate, year)
    any_staff = (gate == 1) if gate is not None else (full_time | part_time)
    if gate is not None and (any_staff != (full_time | part_time)).any():
        raise SSOCSCodeError(f"SSOCS {year}: C0220 disagrees with the staff counts for some schools")
    out["any_security_staff"] = any_staff.astype(float)
    out["security_full_time"] = full_time.astype(float)
    out["security_part_time_only"] = (~full_time & part_time).astype(float)
    if layout.sworn_item:
        out["sworn_law_enforcement"] = (_codes(raw, layout.sworn_item, {1, 2}, year) == 1).astype(float)
    elif layout.sworn_counts:
        out["sworn_law_enforcement"] = _counts(raw, layout.sworn_counts, gate, year).astype(float)
    else:
        out["sworn_law_enforcement"] = np.nan
    out["any_sro"] = _counts(raw, layout.sro_counts, gate, year).astype(float) if layout.sro_counts else np.nan

    out[WEIGHT] = raw[WEIGHT].astype(float)
    replicates = raw[layout.repweights].astype(float)
    replicates.columns = REPWEIGHTS
    return pd.concat([out, replicates], axis=1)


def load_ssocs(years=None, ssocs_dir=None, verify_checksums: bool = True) -> pd.DataFrame:
    """The harmonized SSOCS frame for `years` (default: all five), one row per school and year.

    Columns: school_id, year ("2005-06" ...), level, level_grouped, enrollment_size, locale,
    minority (where the year has it), percent_white (2015-16, 2019-20), high_minority (1/0, NaN
    where unknown), the 0/1 indicators named in INDICATORS (NaN in years that do not measure
    them), FINALWGT and REPWGT1..REPWGT50 (the year's replicate weights, renamed).
    Every file read is recorded with its checksum (provenance.record_input) and, unless
    verify_checksums=False (made-up test files), checked against data/ssocs/SHA256SUMS.
    """
    years = check_years(years)
    folder = find_ssocs_dir(ssocs_dir)  # once per load; the load cell passes the folder it resolved
    paths = {year: ssocs_file(year, folder) for year in years}  # every file found before any is read
    checksums = known_checksums() if verify_checksums else None  # SHA256SUMS read once per load
    frames = [harmonize(read_year(year, path, checksums), year) for year, path in paths.items()]
    return pd.concat(frames, ignore_index=True)


def available_years(ssocs_dir=None) -> list[str]:
    """The years whose public-use file is in the SSOCS folder (`find_ssocs_dir`; none when there is no folder)."""
    folder = find_ssocs_dir(ssocs_dir)
    if folder is None:
        return []
    return [y for y, layout in LAYOUTS.items() if any((folder / name).is_file() for name in layout.files)]
