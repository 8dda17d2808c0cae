"""The district_public_data report: police in one district's schools, from public data alone.

Any U.S. district can build it from the federal CRDC school files and an NCES LEA id: sworn officers and
security staff, students referred to law enforcement and arrested per 100 enrolled by race, sex and
disability (risk ratios with Wilson and Katz intervals), the district beside its state and the nation
under the annual review's like-for-like rules (analysis.crdc_rates, crdc_breakdowns: suppressed, then
audited across tables), NCES's SSOCS estimate for schools like its own, and the trend across the CRDC
years present. Every label names the district: from its profile when the LEA id is the profile's, else
from the CRDC files' LEA_NAME (a statewide fan-out covers districts without a profile). Tables, the
trend and the SSOCS comparison are in district_public_data_tables; charts in _figures.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from sro_research.analysis import crdc_breakdowns as cb
from sro_research.analysis.crdc_rates import SCOPES, CrdcRates, crdc_rates, school_cells
from sro_research.district import DistrictProfile
from sro_research.privacy.suppression import TOTAL, SuppressedTable, suppress
from sro_research.readers.crdc import CRDC_URL, LAYOUTS, CrdcYear
from sro_research.reports import annual_review_crdc as arc
from sro_research.reports.annual_review_format import fmt, years_text
from sro_research.stats.clustered_rates import clustered_rate_measures
from sro_research.stats.disproportionality import risk

MEASURES = ("referred", "arrested")  # what CRDC says about police contacts; suspensions are the annual review's
ONE_WAY = ["race", "sex", "disability"]
REFERENCE = cb.REFERENCES["race"]
NATION = "the nation (50 states and DC)"
ANCHORS = {"staff": "Officers-and-security-staff", "rates": "Referrals-and-arrests-beside-the-state-and-nation",
           "trend": "Trend-across-CRDC-years", "ssocs": "Schools-like-this-district-nationally",
           "coverage": "What-each-rate-counts"}


@dataclass(frozen=True)
class Subject:
    """The district a run is about, and the words that name it."""

    leaid: str
    name: str  # "Example Valley School District", or the CRDC LEA_NAME
    short: str  # "Example Valley"
    state: str  # postal code, as CRDC's LEA_STATE
    state_name: str  # "Wisconsin", or the postal code when the profile is another state's
    synthetic: bool  # the profile is an invented example district
    from_profile: bool  # the profile describes this district (else a fan-out's district, named by CRDC)


@dataclass
class DistrictData:
    """Every CRDC year's rates and breakdowns for the district, computed once; the years it lacks, and why."""

    subject: Subject
    rates: dict[str, CrdcRates] = field(default_factory=dict)  # year -> rates, years with counted schools
    results: dict[str, dict] = field(default_factory=dict)  # year -> (scope, measure) -> Breakdowns
    totals: dict[str, dict] = field(default_factory=dict)  # year -> (scope, measure) -> all students' (risk, low, high) or None
    clustered: dict[str, pd.DataFrame] = field(default_factory=dict)  # measure -> the latest year's school-clustered rates by race
    absent: dict[str, str] = field(default_factory=dict)  # year -> why it is not in the report
    crdc: dict[str, CrdcYear] = field(default_factory=dict)

    @property
    def latest(self) -> str | None:
        return max(self.rates) if self.rates else None

    @property
    def synthetic(self) -> bool:
        return self.subject.synthetic or any(data.is_synthetic for data in self.crdc.values())

    def scopes(self) -> dict[str, str]:
        """Each scope's words in table headings: the district's short name, its state, the nation."""
        return {"district": self.subject.short, "state": self.subject.state_name, "nation": "Nation (50 states and DC)"}


def crdc_folder(crdc_dir: str | None, profile: DistrictProfile) -> Path | None:
    """The CRDC folder: the parameter, else the profile's `[folders] crdc` (None when neither names one)."""
    return Path(crdc_dir) if crdc_dir else profile.folder("crdc")


def subject(profile: DistrictProfile, leaid: str | None, crdc: dict[str, CrdcYear]) -> Subject:
    """The district of `leaid` (default the profile's): the profile's names when it is the profile's district,
    else the LEA_NAME and LEA_STATE of its schools in the latest CRDC year that has them."""
    leaid = str(leaid or profile.leaid).strip().zfill(7)
    if leaid == profile.leaid:
        return Subject(leaid, profile.name, profile.short_name, profile.state, profile.state_name,
                       profile.status == "synthetic", True)
    for year in sorted(crdc, reverse=True):
        schools = crdc[year].schools
        rows = schools[schools["LEAID"] == leaid]
        if len(rows):
            name, state = str(rows["LEA_NAME"].iloc[0]), str(rows["LEA_STATE"].iloc[0])
            state_name = profile.state_name if state == profile.state else state
            return Subject(leaid, name, name, state, state_name, False, False)
    years = ", ".join(crdc) or "none"
    raise ValueError(f"LEA id {leaid}: no school in the CRDC files read (years: {years}); check the district's "
                     "7-digit NCES LEA id")


def district_data(crdc: dict[str, CrdcYear], who: Subject, threshold: int) -> DistrictData:
    """Rates and breakdowns for every year the district has counted schools in, computed once. The latest year
    gets the tables by race, sex and disability for every scope; earlier years only what the trend reads: the
    district's table by race (its Black-white ratio and, in its totals, the all-students rate) and the state's
    and the nation's all-students counts, suppressed on their own (no table of theirs is shown that year)."""
    data = DistrictData(who, crdc=crdc)
    for year in LAYOUTS:
        if year not in crdc:
            data.absent[year] = "no files for this year in the CRDC folder"
            continue
        if not (crdc[year].schools["LEAID"] == who.leaid).any():
            data.absent[year] = "no school with the district's LEA id in this year's files"
            continue
        rates = crdc_rates(crdc[year], who.leaid, keys=MEASURES)
        counted = rates.cells[(rates.cells["scope"] == "district") & (rates.cells["coverage"] == "referred")]
        if counted.empty or int(counted["schools"].iloc[0]) == 0 or counted["enrolled"].sum() == 0:
            data.absent[year] = ("no school counted: the district's schools are juvenile-justice facilities or "
                                 "withheld their referral or enrollment counts")
            continue
        data.rates[year] = rates
    for year, rates in data.rates.items():
        scopes = SCOPES if year == data.latest else ("district",)
        names = ONE_WAY if year == data.latest else ["race"]
        data.results[year] = {(scope, measure): cb.breakdowns(rates, scope, measure, threshold, names)
                              for scope in scopes for measure in MEASURES}
        data.totals[year] = {(scope, measure): (_from_table(data.results[year][(scope, measure)].tables["race"])
                                                if (scope, measure) in data.results[year]
                                                else _on_its_own(rates, scope, measure, threshold))
                             for scope in SCOPES for measure in MEASURES}
    if data.latest:
        data.clustered = _clustered(crdc[data.latest], who.leaid)
    return data


def _clustered(crdc: CrdcYear, leaid: str) -> dict[str, pd.DataFrame]:
    """Per measure, the district's rates by race allowing for clustering in schools (a Poisson working model
    with school-clustered robust errors, stats.clustered_rates), when it has two or more schools counted."""
    out = {}
    for measure in MEASURES:
        cells = school_cells(crdc, leaid, measure)
        if cells["COMBOKEY"].nunique() >= 2 and REFERENCE in set(cells["race"]) and cells[measure].sum() > 0:
            out[measure] = clustered_rate_measures(cells, "race", measure, "enrolled", "COMBOKEY", REFERENCE)
    return out


def _from_table(table: SuppressedTable) -> tuple[float, float, float] | None:
    """All students' risk per 100 (Wilson) from a shown table's totals; None when either is suppressed."""
    if table.hidden.loc[TOTAL, "yes"] or table.hidden.loc[TOTAL, TOTAL]:
        return None
    return risk(float(table.counts.loc[TOTAL, "yes"]), float(table.counts.loc[TOTAL, TOTAL]))


def _on_its_own(rates: CrdcRates, scope: str, measure: str, threshold: int) -> tuple[float, float, float] | None:
    cells = rates.cells[(rates.cells["scope"] == scope) & (rates.cells["coverage"] == measure)]
    count, enrolled = int(cells[measure].sum()), int(cells["enrolled"].sum())
    table = pd.DataFrame({"yes": [count], "no": [max(enrolled - count, 0)]}, index=[scope])
    return _from_table(suppress(table, threshold, totals=True))


def data_status(data: DistrictData, ssocs_years: list[str]) -> tuple[str, str]:
    """("synthetic" | "real", detail) for reporting.set_data_status."""
    parts = [("SYNTHETIC " if data.subject.synthetic else "") + f"district: {data.subject.name}"]
    parts += [("SYNTHETIC " if data.crdc[y].is_synthetic else "") + f"CRDC {y}" for y in data.crdc]
    if ssocs_years:
        parts.append(f"NCES SSOCS {years_text(ssocs_years)}")
    return ("synthetic" if data.synthetic else "real"), "; ".join(parts)


def heading(who: Subject) -> str:
    return f"# {who.name}: police in its schools, from public data"


def synthetic_notice(data: DistrictData) -> str | None:
    if not data.synthetic:
        return None
    what = [f"{data.subject.name} is an invented example district"] if data.subject.synthetic else []
    years = [y for y, d in data.crdc.items() if d.is_synthetic]
    if years:
        what.append(f"the CRDC files for {years_text(years)} are SYNTHETIC (written in the published layouts by "
                    "the project's generator)")
    return ("Synthetic demonstration data, not any real district's records: " + " and ".join(what) + ". Every "
            "table and chart built from them describes invented schools and students.")


def _rates_finding(data: DistrictData) -> tuple[str, str] | None:
    """Students referred and arrested per 100 in the district (Wilson intervals), beside its state and the nation."""
    year, words = data.latest, {"referred": "were referred to law enforcement",
                                "arrested": "were arrested in a school-related arrest"}
    own = [(m, data.totals[year][("district", m)]) for m in MEASURES]
    own = [(m, v) for m, v in own if v is not None]
    if not own:
        return None
    said = " and ".join(f"{fmt(v[0], 2)} {words[m]} (95% CI {fmt(v[1], 2)} to {fmt(v[2], 2)})" for m, v in own)
    beside = []
    for scope, name in (("state", data.subject.state_name), ("nation", NATION)):
        values = [data.totals[year][(scope, m)] for m, _ in own]
        if all(v is not None for v in values):
            beside.append(f"{' and '.join(fmt(v[0], 2) for v in values)} in {name}")
    return (f"CRDC {year}: per 100 students enrolled in {data.subject.short}, {said}"
            + (f"; against {'; '.join(beside)}" if beside else "") + ".", ANCHORS["rates"])


def _staff_finding(data: DistrictData) -> tuple[str, str]:
    staff = data.rates[data.latest].staff.set_index("scope").loc["district"]
    return (f"CRDC {data.latest}: {int(staff['schools_with_officer'])} of {int(staff['schools_reporting'])} "
            f"{data.subject.short} schools reporting had a sworn law enforcement officer "
            f"({fmt(staff['law_enforcement_fte'])} full-time equivalents), and {fmt(staff['security_guard_fte'])} "
            "security guard full-time equivalents.", ANCHORS["staff"])


def _trend_finding(data: DistrictData) -> tuple[str, str] | None:
    shown = [(y, t[("district", "referred")]) for y, t in sorted(data.totals.items())]
    shown = [(y, v) for y, v in shown if v is not None]
    if len(shown) < 2:
        return None
    (first, a), (last, b) = shown[0], shown[-1]
    return (f"Across CRDC years, {data.subject.short}'s referrals to law enforcement went from {fmt(a[0], 2)} per 100 "
            f"students in {first} to {fmt(b[0], 2)} in {last}.", ANCHORS["trend"])


def key_findings(data: DistrictData, ssocs_finding: tuple[str, ...] | None = None) -> list[tuple[str, ...]]:
    """At most six sentences, each computed from the tables below it."""
    if data.latest is None:
        return [(f"No CRDC year read has a counted school with LEA id {data.subject.leaid} ({data.subject.name}); "
                 "the note below says what each year lacks.", ANCHORS["coverage"])]
    rates, results = data.rates[data.latest], data.results[data.latest]
    found = [_staff_finding(data), _rates_finding(data), arc.finding(rates, results, data.subject.short, ANCHORS["rates"]),
             arc.disability_finding(rates, results, data.subject.short, ANCHORS["rates"]), ssocs_finding,
             _trend_finding(data)]
    return [f for f in found if f is not None][:6]


def absent_note(data: DistrictData, ssocs_missing: str | None) -> str | None:
    """One plain note for every section the data do not allow: CRDC years missing, no SSOCS files."""
    parts = [f"CRDC {year}: {why}" for year, why in data.absent.items()]
    if not data.crdc:
        parts = [f"no CRDC files were given to this build, so nothing can be said about {data.subject.short}'s "
                 f"officers, referrals or arrests (the README says how to add the public-use files from {CRDC_URL})"]
    elif parts:
        parts = [f"{'; '.join(parts)} (the public-use school files are at {CRDC_URL}; put each year's download in "
                 "its own folder, named by the year)"]
    if ssocs_missing:
        parts.append(ssocs_missing)
    if not parts:
        return None
    return f"**Not in this report for {data.subject.short}.** " + " ".join(p[0].upper() + p[1:] + "." for p in parts)


def limits_markdown(data: DistrictData) -> str:
    return "\n".join([
        "- **CRDC counts students, not incidents.** A student referred three times is one referred student. "
        "CRDC's arrested students need not be among those it counts as referred.",
        "- **Schools report these counts themselves**, every other year, and they are published late; a district's "
        "counts can be incomplete (the coverage table says which schools each rate leaves out and why).",
        "- **2020-21 was a pandemic year**: many schools taught remotely for part of it, so its referrals, arrests "
        "and officer counts are not comparable with the years before.",
        "- **Counts below the suppression threshold are hidden**, with further cells where a total would reveal "
        "them; a rate or ratio whose count is hidden is not shown.",
        "- **Disparity is not cause.** A ratio above 1 says one group is referred or arrested more often; it does "
        "not say why (behavior, referral decisions, school assignment, officer presence).",
        "- **Nothing here measures whether officers made schools safer**: these are counts of staff and of police "
        f"contacts. The CRDC years this report can read: {years_text(LAYOUTS)}.",
    ])


def method_note(data: DistrictData) -> str:
    year = data.latest
    return arc.method_note(data.rates[year], data.results[year])


def headline_numbers(data: DistrictData) -> dict[str, int | float | None]:
    """The few numbers a list of districts shows for this one (reporting.set_headline_numbers: a fan-out's
    table), from the latest CRDC year: schools and students counted for referrals, students referred to law
    enforcement per 100 (None when suppressed), and sworn officers in full-time equivalents."""
    if data.latest is None:
        return dict.fromkeys(("Schools counted", "Students", "Referred per 100", "Officers (FTE)"))
    rates = data.rates[data.latest]
    counted = rates.cells[(rates.cells["scope"] == "district") & (rates.cells["coverage"] == "referred")]
    referred = data.totals[data.latest][("district", "referred")]
    staff = rates.staff.set_index("scope").loc["district"]
    return {"Schools counted": int(counted["schools"].iloc[0]), "Students": int(counted["enrolled"].sum()),
            "Referred per 100": None if referred is None else float(referred[0]),
            "Officers (FTE)": float(staff["law_enforcement_fte"])}
