"""SYNTHETIC CRDC folders in the public-use school files' published layouts, for examples, tests and benchmarks.

Writes one folder per school year (2015-16's one wide file; 2017-18, 2020-21 and 2021-22 module files in
their published folders, with an LEA-level `Enrollment.csv` beside them that the reader must skip), in
each year's published encoding, with reserve codes the year lists (`readers.crdc_layouts`). Every district
and school name starts with "SYNTHETIC", which the reader sees and every page built from the files says.
No number here is CRDC data: enrollment is drawn around invented shares, and referrals, arrests and
suspensions around invented rates with a built-in disparity by race and disability, so the reports have
something to find. Everything is seeded: the same arguments write the same bytes.

- `write_year(root, year, schools, seed)`: one year for a given list of `School`s (the test fixture's
  hand-picked schools use it);
- `write_state_folder(folder, n_districts, seed)`: a state's districts of several schools each, optionally
  with the example district first and a few schools of neighbouring states (the benchmark's ~330-district
  state, generated into a temporary folder, never committed);
- `python -m sro_research.synthetic.crdc`: rewrites the shipped example district's folder (the district
  profile `districts/example.toml`, its `[folders] crdc`), from that profile's id, name and state.
"""

from __future__ import annotations

import argparse
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from sro_research.paths import project_root
from sro_research.readers.crdc_layouts import CRDC_RACES, CRDC_SEXES, LAYOUTS, NONBINARY, count_columns

PREFIX = "SYNTHETIC"
ID_NAMES = ["LEA_STATE", "LEA_STATE_NAME", "LEAID", "LEA_NAME", "SCHID", "SCH_NAME", "COMBOKEY", "JJ"]
SHARES = {"HI": 0.15, "AM": 0.04, "AS": 0.07, "HP": 0.004, "BL": 0.36, "WH": 0.36, "TR": 0.016}
RATES = {"REF": 0.012, "ARR": 0.008, "SINGOOS": 0.03, "MULTOOS": 0.015}  # students per enrolled student
MULTIPLIER = {"BL": 3.0, "AM": 2.5, "TR": 1.5, "HI": 1.3}  # the invented disparity by race
IDEA_SHARE, IDEA_RATE_FACTOR = 0.14, 2.0  # students served under IDEA, and how much more often they are counted
# Published encodings (readers.crdc_layouts): 2015-16 and 2017-18 Windows-1252, 2020-21 UTF-8; 2021-22 written with a BOM.
ENCODINGS = {"2015-16": "cp1252", "2017-18": "cp1252", "2020-21": "utf-8", "2021-22": "utf-8-sig"}
# A reserve code each year lists, for a count cell and for an officer FTE cell of a generated state
CELL_CODES = {"2015-16": -2, "2017-18": -11, "2020-21": -11, "2021-22": -12}
FTE_CODE = -9
STATE_FIPS = {  # the first two digits of an NCES LEA id
    "AL": "01", "AK": "02", "AZ": "04", "AR": "05", "CA": "06", "CO": "08", "CT": "09", "DE": "10", "DC": "11",
    "FL": "12", "GA": "13", "HI": "15", "ID": "16", "IL": "17", "IN": "18", "IA": "19", "KS": "20", "KY": "21",
    "LA": "22", "ME": "23", "MD": "24", "MA": "25", "MI": "26", "MN": "27", "MS": "28", "MO": "29", "MT": "30",
    "NE": "31", "NV": "32", "NH": "33", "NJ": "34", "NM": "35", "NY": "36", "NC": "37", "ND": "38", "OH": "39",
    "OK": "40", "OR": "41", "PA": "42", "RI": "44", "SC": "45", "SD": "46", "TN": "47", "TX": "48", "UT": "49",
    "VT": "50", "VA": "51", "WA": "53", "WV": "54", "WI": "55", "WY": "56", "PR": "72",
}
_FIRST = ["MAPLE", "CEDAR", "PINE", "OAK", "BIRCH", "ASPEN", "WILLOW", "ELM", "SPRUCE", "HICKORY", "SILVER",
          "STONE", "CLEAR", "GREEN", "RED", "FOX", "EAGLE", "BEAR", "DEER", "OTTER"]
_SECOND = ["FALLS", "RIDGE", "LAKE", "CREEK", "PRAIRIE", "HOLLOW", "BLUFF", "VALLEY", "GROVE", "HARBOR",
           "CROSSING", "MEADOW", "SPRINGS", "RAPIDS", "HEIGHTS", "POINT", "BEND", "FIELD"]
MOSTLY_WHITE = {"HI": 0.06, "AM": 0.015, "AS": 0.025, "HP": 0.002, "BL": 0.03, "WH": 0.85, "TR": 0.018}
LEVEL_SIZES = {"HIGH": (400, 1800), "MIDDLE": (250, 900), "ELEMENTARY": (150, 600), "K-12": (150, 500)}


@dataclass(frozen=True)
class School:
    """One invented school. Left as None, names and staff follow the test fixture's rules."""

    state: str
    leaid: str
    schid: str
    name: str
    size: int  # about this many students enrolled
    jj: str = "No"  # "Yes": a juvenile-justice facility
    lea_name: str | None = None  # default "SYNTHETIC DISTRICT <leaid>"
    officer_fte: float | None = None  # sworn law enforcement FTE; default 1 in a high school, else 0
    guard_fte: float | None = None  # security guard FTE; default 2 in a high school, else 0.5
    shares: tuple[float, ...] | None = None  # enrollment share of each race (CRDC_RACES order); default SHARES
    rate_factor: float = 1.0  # the school's referral, arrest and suspension rates, relative to RATES

    @property
    def combokey(self) -> str:
        return self.leaid + self.schid


def school_row(rng: np.random.Generator, school: School, year: str) -> dict:
    """One school's row of every column the year's files hold (counts drawn from `rng`, in a fixed order)."""
    row = {"LEA_STATE": school.state, "LEA_STATE_NAME": f"{PREFIX} STATE " + school.state, "LEAID": school.leaid,
           "LEA_NAME": school.lea_name or f"{PREFIX} DISTRICT " + school.leaid, "SCHID": school.schid,
           "SCH_NAME": school.name, "COMBOKEY": school.combokey, "JJ": school.jj}
    shares = dict(zip(CRDC_RACES, school.shares)) if school.shares else SHARES
    sexes = LAYOUTS[year].enrollment_sexes
    for r in CRDC_RACES:
        for s in sexes:
            enrolled = int(rng.poisson(school.size * shares[r] / 2)) if s in CRDC_SEXES else int(rng.integers(0, 2))
            idea = int(rng.binomial(enrolled, IDEA_SHARE))
            row[f"SCH_ENR_{r}_{s}"], row[f"SCH_IDEAENR_{r}_{s}"] = enrolled, idea
            if s in NONBINARY:
                continue
            for key, rate in RATES.items():
                rate *= MULTIPLIER.get(r, 1.0) * school.rate_factor
                row[f"SCH_DISCWODIS_{key}_{r}_{s}"] = int(rng.poisson((enrolled - idea) * rate))
                row[f"SCH_DISCWDIS_{key}_IDEA_{r}_{s}"] = int(rng.poisson(idea * rate * IDEA_RATE_FACTOR))
    for key in ("REF", "ARR"):  # columns the reader does not use, so the module has its published width
        for s in CRDC_SEXES:
            token = LAYOUTS[year].english_learner
            row[f"SCH_DISCWODIS_{key}_{token}_{s}"] = int(rng.poisson(2))
            row[f"SCH_DISCWDIS_{key}_IDEA_{token}_{s}"] = int(rng.poisson(1))
            row[f"SCH_DISCWODIS_{key}_504_{s}"] = int(rng.poisson(1))
            row[f"TOT_DISCWODIS_{key}_{s}"] = sum(row[f"SCH_DISCWODIS_{key}_{r}_{s}"] for r in CRDC_RACES)
            row[f"TOT_DISCWDIS_{key}_IDEA_{s}"] = sum(row[f"SCH_DISCWDIS_{key}_IDEA_{r}_{s}"] for r in CRDC_RACES)
    high = "HIGH" in school.name
    row["SCH_FTESECURITY_LEO"] = school.officer_fte if school.officer_fte is not None else (1.0 if high else 0.0)
    row["SCH_FTESECURITY_GUA"] = school.guard_fte if school.guard_fte is not None else (2.0 if high else 0.5)
    return row


def referral_module_columns(year: str) -> list[str]:
    """The referrals and arrests module as published: 84 columns in 2017-18, 2020-21 and 2021-22 (the
    composition beyond the columns read is reconstructed: English learners, Section 504, totals)."""
    token = LAYOUTS[year].english_learner
    columns = list(ID_NAMES)
    for key in ("REF", "ARR"):
        columns += [f"SCH_DISCWODIS_{key}_{r}_{s}" for r in [*CRDC_RACES, token, "504"] for s in CRDC_SEXES]
        columns += [f"TOT_DISCWODIS_{key}_{s}" for s in CRDC_SEXES]
        columns += [f"SCH_DISCWDIS_{key}_IDEA_{r}_{s}" for r in [*CRDC_RACES, token] for s in CRDC_SEXES]
        columns += [f"TOT_DISCWDIS_{key}_IDEA_{s}" for s in CRDC_SEXES]
    return columns


def file_columns(year: str, name: str) -> list[str]:
    if name == "Referrals and Arrests.csv":
        return referral_module_columns(year)
    return ID_NAMES + count_columns(year, name)


def year_table(schools: Sequence[School], year: str, seed: int,
               reserved: Iterable[tuple[str, str, int]] = ()) -> pd.DataFrame:
    """Every school's row for `year`; `reserved` places reserve codes as (SCHID, column, code)."""
    rng = np.random.default_rng(seed)
    table = pd.DataFrame([school_row(rng, school, year) for school in schools])
    for schid, column, code in reserved:
        table.loc[table["SCHID"] == schid, column] = code
    return table


def school_folder(root: Path, year: str) -> Path:
    return Path(root) / year / LAYOUTS[year].published_folder


def write_year(root: Path, year: str, schools: Sequence[School], seed: int,
               reserved: Iterable[tuple[str, str, int]] = ()) -> None:
    """Write `year`'s school files under root/year (and, for module years, an LEA-level Enrollment.csv)."""
    table = year_table(schools, year, seed, reserved)
    folder = school_folder(root, year)
    folder.mkdir(parents=True, exist_ok=True)
    for name in LAYOUTS[year].files:
        _write(table[file_columns(year, name)], folder / name, ENCODINGS[year])
    published = LAYOUTS[year].published_folder
    if published:
        lea = Path(root) / year / published.replace("SCH", "LEA").replace("School", "LEA")
        lea.mkdir(parents=True, exist_ok=True)
        lea_table = table.groupby(["LEA_STATE", "LEAID"], as_index=False)[["SCH_ENR_BL_M", "SCH_ENR_BL_F"]].sum()
        _write(lea_table, lea / "Enrollment.csv", ENCODINGS[year])


def _write(table: pd.DataFrame, path: Path, encoding: str) -> None:
    path.write_bytes(table.to_csv(index=False, lineterminator="\r\n").encode(encoding))


# --- a state of districts ------------------------------------------------------------------------------

def district_names(n: int, rng: np.random.Generator) -> list[str]:
    """`n` distinct invented place names ("MAPLE FALLS"), numbered past the word lists' 360 pairs."""
    pairs = [f"{a} {b}" for a, b in itertools.product(_FIRST, _SECOND)]
    order = [pairs[i] for i in rng.permutation(len(pairs))]
    return [order[k % len(order)] + (f" {k // len(order) + 1}" if k >= len(order) else "") for k in range(n)]


def _levels(n_schools: int) -> list[str]:
    if n_schools == 1:
        return ["K-12"]
    levels = ["HIGH"] + (["MIDDLE"] if n_schools >= 3 else [])
    return levels + ["ELEMENTARY"] * (n_schools - len(levels))


def district_schools(rng: np.random.Generator, state: str, leaid: str, place: str, n_schools: int,
                     first_schid: int, lea_name: str | None = None) -> list[School]:
    """One invented district's schools: a high school, a middle school when it has three or more, elementary
    schools; a district with officers has them in its high and some middle schools."""
    lea_name = lea_name or f"{PREFIX} {place} SCHOOL DISTRICT"
    mix = rng.uniform(0, 1)
    base = np.array([mix * SHARES[r] + (1 - mix) * MOSTLY_WHITE[r] for r in CRDC_RACES])
    shares = tuple(float(x) for x in rng.dirichlet(80 * base))
    has_officers = bool(rng.random() < 0.5)
    rate_factor = float(rng.lognormal(0, 0.35)) * (1.4 if has_officers else 1.0)
    schools, counters = [], {}
    for k, level in enumerate(_levels(n_schools)):
        counters[level] = counters.get(level, 0) + 1
        number = f" {counters[level]}" if level == "ELEMENTARY" else ""
        low, high = LEVEL_SIZES[level]
        officer = 0.0
        if has_officers and level in ("HIGH", "K-12"):
            officer = 1.0 if rng.random() < 0.8 else 2.0
        elif has_officers and level == "MIDDLE":
            officer = 1.0 if rng.random() < 0.5 else 0.0
        guards = float(rng.integers(0, 4)) if level in ("HIGH", "K-12") else float(rng.integers(0, 2)) * 0.5
        schools.append(School(state, leaid, f"{first_schid + k:05d}", f"{PREFIX} {place} {level}{number}",
                              int(rng.integers(low, high)), lea_name=lea_name, officer_fte=officer, guard_fte=guards,
                              shares=shares, rate_factor=rate_factor))
    return schools


def state_schools(state: str, n_districts: int, seed: int, first: Sequence[School] = (),
                  neighbours: Sequence[str] = (), jj_facility: bool = True) -> list[School]:
    """The schools of `n_districts` invented districts of `state` (after `first`, e.g. the example district),
    a juvenile-justice facility in the first generated district, and one small district per neighbouring
    state (a territory such as "PR" allowed), each with the LEA id its state's FIPS code starts. The last
    school's name ends "AT PEÑASCO", so each file's encoding shows only in its last row."""
    rng = np.random.default_rng(seed)
    places = district_names(n_districts + len(neighbours), rng)
    schools, schid = list(first), 100 + len(first)
    for k in range(n_districts):
        n_schools = int(min(1 + rng.poisson(3.0), 12)) if k else 15  # the first, the state's largest district
        part = district_schools(rng, state, f"{STATE_FIPS[state]}{k + 1:05d}", places[k], n_schools, schid)
        if k == 0 and jj_facility:
            part.append(replace(part[-1], schid=f"{schid + n_schools:05d}", name=f"{PREFIX} {places[k]} JUVENILE CENTER",
                                size=60, jj="Yes", officer_fte=0.0))
        schools += part
        schid += len(part)
    for k, other in enumerate(neighbours):
        leaid = f"{STATE_FIPS[other]}{90001 + k:05d}"
        part = district_schools(rng, other, leaid, places[n_districts + k], 2, schid)
        schools += part
        schid += len(part)
    if len(schools) > len(first):  # a non-ASCII name in the last row: only the whole file tells its encoding
        schools[-1] = replace(schools[-1], name=schools[-1].name + " AT PEÑASCO")
    return schools


def reserve_cells(schools: Sequence[School], year: str, seed: int, share: float = 0.02) -> list[tuple[str, str, int]]:
    """Reserve codes the year lists, in about `share` of the schools: an officer FTE not applicable, or an
    arrest count withheld (so matching coverage leaves the school out of the arrest rates)."""
    rng = np.random.default_rng(seed)
    cells = []
    for school in schools:
        draw = rng.random()
        if draw < share / 2:
            cells.append((school.schid, "SCH_FTESECURITY_LEO", FTE_CODE))
        elif draw < share:
            cells.append((school.schid, "SCH_DISCWODIS_ARR_WH_M", CELL_CODES[year]))
    return cells


def write_folder(folder: Path, schools: Sequence[School], seed: int, years: Iterable[str] = tuple(LAYOUTS),
                 reserved: dict[str, list[tuple[str, str, int]]] | None = None) -> None:
    """Write every year in `years` for `schools` (each year its own seed); reserve codes by year (default:
    `reserve_cells` in about 2% of schools)."""
    for year in years:
        year_seed = seed + 1000 + list(LAYOUTS).index(year)
        cells = reserve_cells(schools, year, year_seed) if reserved is None else reserved.get(year, [])
        write_year(folder, year, schools, year_seed, cells)


def write_state_folder(folder: str | Path, n_districts: int, seed: int, years: Iterable[str] = tuple(LAYOUTS),
                       state: str = "WI", neighbours: Sequence[str] = ()) -> list[School]:
    """A SYNTHETIC CRDC folder of one state's `n_districts` districts (and one per neighbouring state);
    returns the schools written. About 330 districts is a state-sized folder (a few MB per year)."""
    schools = state_schools(state, n_districts, seed, neighbours=neighbours)
    write_folder(Path(folder), schools, seed, years)
    return schools


# --- the shipped example district ----------------------------------------------------------------------

EXAMPLE_SEED = 5599
EXAMPLE_OTHER_DISTRICTS = 8
EXAMPLE_NEIGHBOURS = ("MN", "IL", "IA", "MI", "PR")  # PR: outside the 50 states and DC, left out of the nation
EXAMPLE_OFFICERS_FROM_2020 = {"NORTH HIGH": 1.0}  # sworn officer FTE by school from 2020-21 (others none)


def example_schools(leaid: str, name: str, state: str) -> list[School]:
    """The example district's six schools: two high schools with officers, two middle, two elementary."""
    lea_name = f"{PREFIX} {name.upper()}"
    shares = tuple(SHARES[r] for r in CRDC_RACES)
    plan = [("HIGH", "NORTH HIGH", 1650, 2.0, 3.0), ("HIGH", "SOUTH HIGH", 1250, 1.0, 2.0),
            ("MIDDLE", "RIVER MIDDLE", 820, 1.0, 1.0), ("MIDDLE", "HILL MIDDLE", 640, 0.0, 0.5),
            ("ELEMENTARY", "PARK ELEMENTARY", 480, 0.0, 0.0), ("ELEMENTARY", "LAKE ELEMENTARY", 410, 0.0, 0.0)]
    return [School(state, leaid, f"{k + 1:05d}", f"{PREFIX} {school}", size, lea_name=lea_name, officer_fte=officer,
                   guard_fte=guards, shares=shares, rate_factor=1.3 if level != "ELEMENTARY" else 0.5)
            for k, (level, school, size, officer, guards) in enumerate(plan)]


def example_reserved(schools: Sequence[School]) -> dict[str, list[tuple[str, str, int]]]:
    """The example's reserve codes: one elementary school's arrest count withheld in 2017-18 (left out of that
    year's arrest rates), and an officer FTE marked not applicable in 2020-21."""
    elementary = schools[-1].schid
    return {"2015-16": [(elementary, "SCH_FTESECURITY_LEO", -9)],
            "2017-18": [(elementary, "SCH_DISCWODIS_ARR_HI_F", -11)],
            "2020-21": [(elementary, "SCH_FTESECURITY_LEO", -9)],
            "2021-22": []}


def write_example_folder(folder: str | Path, leaid: str, name: str, state: str,
                         years: Iterable[str] = tuple(LAYOUTS)) -> list[School]:
    """The shipped example: the example district, `EXAMPLE_OTHER_DISTRICTS` other districts of its state
    and one small district in each of `EXAMPLE_NEIGHBOURS`. From 2020-21 on the example district keeps one
    officer, in one high school (`EXAMPLE_OFFICERS_FROM_2020`), so its trend has a change to show."""
    own = example_schools(leaid, name, state)
    schools = state_schools(state, EXAMPLE_OTHER_DISTRICTS, EXAMPLE_SEED, first=own, neighbours=EXAMPLE_NEIGHBOURS)
    reserved = example_reserved(own)
    for year in years:
        index = list(LAYOUTS).index(year)
        cells = reserved.get(year, []) + reserve_cells(schools[len(own):], year, EXAMPLE_SEED + index, 0.1)
        staffed = [replace(s, officer_fte=EXAMPLE_OFFICERS_FROM_2020.get(s.name.removeprefix(f"{PREFIX} "), 0.0))
                   if year >= "2020-21" and s.leaid == leaid else s for s in schools]
        write_year(Path(folder), year, staffed, EXAMPLE_SEED + 1000 + index, cells)
    return schools


def main(argv: Sequence[str] | None = None) -> None:
    import tomllib

    from sro_research.district import load_profile, profile_path

    parser = argparse.ArgumentParser(description="Write the SYNTHETIC example district's CRDC folder.")
    parser.add_argument("--district", default="example", help="a SYNTHETIC district profile (slug or path)")
    args = parser.parse_args(argv)
    raw = tomllib.loads(profile_path(args.district).read_text(encoding="utf-8"))  # the folder may not exist yet
    folder = raw.get("folders", {}).get("crdc")
    if folder:
        (Path(folder) if Path(folder).is_absolute() else project_root() / folder).mkdir(parents=True, exist_ok=True)
    profile = load_profile(args.district)
    if profile.status != "synthetic" or not profile.has("crdc"):
        raise SystemExit(f"{profile.path}: only a synthetic profile with a [folders] crdc is written here")
    schools = write_example_folder(profile.folder("crdc"), profile.leaid, profile.name, profile.state)
    print(f"wrote {len(schools)} SYNTHETIC schools x {len(LAYOUTS)} years under {profile.folders['crdc']}")


if __name__ == "__main__":
    main()
