"""The CRDC public-use school files as each collection publishes them: files, folders, columns, reserve codes.

One entry per school year in `LAYOUTS`; a new collection is one new entry. What is known about the real
files, and where each fact was seen, is in the README ("The CRDC files as published"); the official
record layouts could not be read here.

Counts are read as (measure, disability) -> column stems. Students without disabilities
(`DISCWODIS`) and students served under IDEA (`DISCWDIS_..._IDEA`) stay separate, as the files keep
them; enrollment has the total (`SCH_ENR_*`, disability "all") and students served under IDEA
(`SCH_IDEAENR_*`, disability "with"), the denominator of disability rates.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sro_research.readers.incidents import RACES

CRDC_URL = "https://ocrdata.ed.gov"
CRDC_RACES = {"HI": "hispanic", "AM": "american_indian", "AS": "asian", "HP": "pacific_islander",
              "BL": "black", "WH": "white", "TR": "multiracial"}
assert set(CRDC_RACES.values()) == set(RACES)
CRDC_SEXES = {"M": "male", "F": "female"}
NONBINARY = {"X": "nonbinary"}  # 2021-22 Enrollment only
ID_COLUMNS = ("LEA_STATE", "LEAID", "LEA_NAME", "SCHID", "SCH_NAME", "JJ")
FTE_COLUMNS = {"SCH_FTESECURITY_LEO": "law_enforcement_fte", "SCH_FTESECURITY_GUA": "security_guard_fte"}
# measure -> disability -> column stems summed for it
MEASURES = {
    "enrolled": {"all": ("SCH_ENR_{r}_{s}",), "with": ("SCH_IDEAENR_{r}_{s}",)},
    "referred": {"without": ("SCH_DISCWODIS_REF_{r}_{s}",), "with": ("SCH_DISCWDIS_REF_IDEA_{r}_{s}",)},
    "arrested": {"without": ("SCH_DISCWODIS_ARR_{r}_{s}",), "with": ("SCH_DISCWDIS_ARR_IDEA_{r}_{s}",)},
    "suspended_out_of_school": {
        "without": ("SCH_DISCWODIS_SINGOOS_{r}_{s}", "SCH_DISCWODIS_MULTOOS_{r}_{s}"),
        "with": ("SCH_DISCWDIS_SINGOOS_IDEA_{r}_{s}", "SCH_DISCWDIS_MULTOOS_IDEA_{r}_{s}")},
}
MEASURE_LABELS = {"enrolled": "Enrolled", "referred": "Referred to law enforcement",
                  "arrested": "School-related arrest", "suspended_out_of_school": "Out-of-school suspension"}
DISABILITY_LABELS = {"all": "All students", "without": "Students without disabilities",
                     "with": "Students with disabilities (IDEA)"}
# Reserve codes and their meanings as the years' public-use file documentation lists them.
RESERVE_CODES = {
    -2: "small cell value (suppressed)", -3: "skip logic failure", -4: "missing optional data",
    -5: "action plan", -6: "force certified", -7: "system error", -8: "EDFacts missing data",
    -9: "not applicable / skipped", -11: "suppressed data", -12: "suppressed for privacy",
    -13: "missing DIND skip logic",
}
_CODES_2017 = frozenset({-3, -5, -6, -8, -9, -11})
RESERVE_CODES_BY_YEAR = {
    "2015-16": frozenset({-2, -5, -6, -7, -8, -9}),
    "2017-18": _CODES_2017,
    "2020-21": _CODES_2017 | {-4, -13},
    "2021-22": _CODES_2017 | {-4, -13, -12},
}
# The 50 states and DC by postal code: the "nation" of a like-for-like comparison (no territories).
STATES_50_DC = frozenset(
    "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC "
    "ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY".split())
assert len(STATES_50_DC) == 51
JJ_VALUES = {"YES": True, "NO": False}
_MODULE_FILES = {"Enrollment.csv": ("enrolled",), "Referrals and Arrests.csv": ("referred", "arrested"),
                 "Suspensions.csv": ("suspended_out_of_school",), "School Support.csv": ("fte",)}


@dataclass(frozen=True)
class YearLayout:
    """One collection's school files: names, where they sit as downloaded, codes, sexes, markers."""

    files: dict[str, tuple[str, ...]]  # file name -> measures in it ("fte": officer and guard FTE)
    published_folder: str  # the school files' folder inside the year's folder, as the download unzips
    reserve_codes: frozenset[int]
    english_learner: str  # the English-learner token of column names: LEP until 2020-21, EL from 2021-22
    encoding: str  # as published (the reader decides each file's encoding from its bytes)
    enrollment_sexes: tuple[str, ...] = tuple(CRDC_SEXES)
    # columns that tell this year's files from another year's (beyond the ones read)
    markers: dict[str, tuple[str, ...]] = field(default_factory=dict)


def _referral_markers(token: str) -> dict[str, tuple[str, ...]]:
    return {"Referrals and Arrests.csv": tuple(f"SCH_DISCWODIS_{m}_{token}_{s}" for m in ("REF", "ARR") for s in CRDC_SEXES)}


LAYOUTS = {
    "2015-16": YearLayout({"CRDC 2015-16 School Data.csv": (*MEASURES, "fte")}, "", RESERVE_CODES_BY_YEAR["2015-16"],
                          "LEP", "Windows-1252"),
    "2017-18": YearLayout(_MODULE_FILES, "2017-18-crdc-data-corrected-publication 2/2017-18 Public-Use Files/Data/SCH/CRDC/CSV",
                          RESERVE_CODES_BY_YEAR["2017-18"], "LEP", "Windows-1252", markers=_referral_markers("LEP")),
    "2020-21": YearLayout(_MODULE_FILES, "CRDC/School", RESERVE_CODES_BY_YEAR["2020-21"], "LEP", "UTF-8",
                          markers=_referral_markers("LEP")),
    "2021-22": YearLayout(_MODULE_FILES, "SCH", RESERVE_CODES_BY_YEAR["2021-22"], "EL", "UTF-8",
                          enrollment_sexes=(*CRDC_SEXES, *NONBINARY), markers=_referral_markers("EL")),
}
SEX_NAMES = {**CRDC_SEXES, **NONBINARY}
SCHOOL_FOLDERS = ("SCH", "School")  # the school-level files' folder; LEA-level files of the same name sit in "LEA"


def measure_cells(year: str, measure: str) -> list[tuple[str, str, str, tuple[str, ...]]]:
    """(disability, race code, sex code, columns summed) for every count of `measure` in `year`."""
    sexes = LAYOUTS[year].enrollment_sexes if measure == "enrolled" else tuple(CRDC_SEXES)
    return [(disability, r, s, tuple(stem.format(r=r, s=s) for stem in stems))
            for disability, stems in MEASURES[measure].items() for r in CRDC_RACES for s in sexes]


def measure_columns(measure: str, year: str = "2017-18") -> list[str]:
    if measure == "fte":
        return list(FTE_COLUMNS)
    return [c for *_, columns in measure_cells(year, measure) for c in columns]


def count_columns(year: str, file_name: str) -> list[str]:
    """The numeric columns read from `file_name` of `year` (counts and FTE)."""
    return [c for m in LAYOUTS[year].files[file_name] for c in measure_columns(m, year)]


def required_columns(year: str, file_name: str) -> list[str]:
    layout = LAYOUTS[year]
    return [*ID_COLUMNS, *count_columns(year, file_name), *layout.markers.get(file_name, ())]
