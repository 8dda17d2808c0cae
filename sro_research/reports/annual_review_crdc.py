"""The annual_review's CRDC section: the district beside its state and the nation, by race, sex and disability.

Every rate comes from analysis.crdc_rates (like-for-like scopes, numerator and denominator over the same
schools) and analysis.crdc_breakdowns (suppressed and audited across tables before any measure is shown).
"""

from __future__ import annotations

import pandas as pd

from sro_research.analysis import crdc_breakdowns as cb
from sro_research.analysis.crdc_rates import LEFT_OUT, CrdcRates
from sro_research.readers.crdc import CRDC_URL, MEASURE_LABELS
from sro_research.reports.annual_review_format import (
    BLACK, CRDC_MEASURES, GROUP_LABELS, SCOPES, fmt, with_ci,
)
from sro_research.stats.disproportionality import significant

SECTION = ("## District beside state and nation\n\nFrom the federal Civil Rights Data Collection (CRDC): students "
           "(not incidents) referred to law enforcement, arrested in school-related arrests and given an "
           "out-of-school suspension, per 100 enrolled students, by race, by sex and for students with and "
           "without disabilities, with the ratio to a comparison group. The nation is the 50 states and DC; no "
           "scope counts juvenile-justice facilities; each rate counts only schools that reported both the "
           "measure and their enrollment (the coverage table says how many were left out and why).")
ROW_HEADS = {"race": "Race/ethnicity", "sex": "Sex", "disability": "Students",
             "race_by_disability": "Students · race/ethnicity", "race_by_sex": "Sex · race/ethnicity"}
COMPARED = {"race": "white students", "sex": "female students", "disability": "students without disabilities"}


ONE_WAY = ["race", "sex", "disability"]


def year_breakdowns(rates: CrdcRates, threshold: int, under_review: bool = True) -> dict[tuple[str, str], cb.Breakdowns]:
    """(scope, measure) -> its suppressed, audited breakdowns, computed once per year and passed to every table.

    The year under review gets race, sex and disability everywhere and race within sex and disability in
    the district; another year (for the trend) only the district by race. Each audit costs two linear
    programmes per hidden count, so tables nobody shows are not built.
    """
    wanted = {"district": None if under_review else ["race"], "state": ONE_WAY, "nation": ONE_WAY}
    return {(scope, measure): cb.breakdowns(rates, scope, measure, threshold, wanted[scope])
            for scope in (SCOPES if under_review else ["district"]) for measure in CRDC_MEASURES}


def comparison_table(results: dict, measure: str, breakdown: str = "race") -> pd.DataFrame:
    """District, state and nation side by side: per 100 enrolled and the ratio to the comparison group.
    Columns are named "District: ..." and so on (stable CSV field names); a report may word them for readers."""
    columns, order = {}, []
    for scope, name in SCOPES.items():
        if (scope, measure) not in results or breakdown not in results[(scope, measure)].measures:
            continue  # crossings are shown for the district only
        frame = results[(scope, measure)].measures[breakdown]
        reference = cb.REFERENCES[cb.BREAKDOWNS[breakdown][1]]
        rows = {}
        for _, row in frame.iterrows():
            shown = bool(row["shown"])
            rows[row["label"]] = (with_ci(row, "risk", shown), "reference" if row["group"] == reference
                                  else with_ci(row, "rr_reference", shown and pd.notna(row["rr_reference"]), 2))
            order += [row["label"]] if row["label"] not in order else []
        columns[f"{name}: per 100 (95% CI)"] = {k: v[0] for k, v in rows.items()}
        columns[f"{name}: ratio (95% CI)"] = {k: v[1] for k, v in rows.items()}
    table = pd.DataFrame(columns).reindex(order).fillna("—")
    table.index = [" · ".join(GROUP_LABELS[p] for p in str(k).split("|")) for k in table.index]
    return table.reset_index(names=ROW_HEADS[breakdown])


def caption(year: str, measure: str, breakdown: str) -> str:
    field = cb.BREAKDOWNS[breakdown][1]
    within = {"race_by_disability": ", within each disability group", "race_by_sex": ", within each sex"}.get(breakdown, "")
    return (f"CRDC {year}: {MEASURE_LABELS[measure].lower()}, per 100 enrolled students, by {field}{within}; "
            f"ratio to {COMPARED[field]}")


def coverage_table(rates: CrdcRates, scopes: dict[str, str] = SCOPES, measures=CRDC_MEASURES) -> pd.DataFrame:
    """Per scope and measure: schools counted, and schools and students left out by each rule."""
    rows = []
    for scope, name in scopes.items():
        for measure in measures:
            cells = rates.cells[(rates.cells["scope"] == scope) & (rates.cells["coverage"] == measure)]
            left = rates.coverage[(rates.coverage["scope"] == scope) & (rates.coverage["coverage"] == measure)]
            row = {"Scope": name, "Measure": MEASURE_LABELS[measure],
                   "Schools counted": f"{int(cells['schools'].iloc[0]) if len(cells) else 0:,}"}
            for reason, words in LEFT_OUT.items():
                part = left[left["reason"] == reason]
                students = f"{int(part['students'].sum()):,} students"
                row[f"Left out: {words}"] = students if reason == "sex" else f"{int(part['schools'].sum()):,} schools, {students}"
            rows.append(row)
    return pd.DataFrame(rows)


def staff_table(rates: CrdcRates, scopes: dict[str, str] = SCOPES) -> pd.DataFrame:
    staff = rates.staff
    return pd.DataFrame({"Scope": staff["scope"].map(scopes), "Schools": staff["schools"],
                         "Schools reporting officer FTE": staff["schools_reporting"],
                         "Schools with a sworn officer": staff["schools_with_officer"],
                         "Sworn law enforcement FTE": staff["law_enforcement_fte"].map(fmt),
                         "Security guard FTE": staff["security_guard_fte"].map(fmt)})


def missing_breakdowns_note(rates: CrdcRates) -> str | None:
    if rates.disability_enrollment:
        return None
    return (f"CRDC {rates.year} gives no enrollment of students with disabilities by race and sex, so rates for "
            "students with and without disabilities cannot be computed for this year.")


def audit_note(results: dict) -> str:
    hidden = sum(r.audit.hidden_cells for r in results.values())
    added = sum(len(r.audit.newly_hidden) for r in results.values())
    narrowest = min((r.audit.smallest_range for r in results.values()), default=float("inf"))
    width = "no hidden count is bounded" if narrowest == float("inf") else f"the narrowest range is {narrowest:,.0f} wide"
    return (f"**CRDC tables, disclosure audit.** For each scope and measure, the tables by race, sex and disability (and "
            f"their crossings where shown) were suppressed and then audited together by linear programming: {hidden} counts "
            f"hidden in all, {added} of them added by the audit; {width}.")


def shown_breakdowns(rates: CrdcRates) -> list[str]:
    return cb.available(rates)


def findings(rates: CrdcRates | None, results: dict | None) -> list[tuple[str, str]]:
    """The year's CRDC key findings (none without the year's files)."""
    if rates is None:
        return []
    return [f for f in (finding(rates, results), disability_finding(rates, results)) if f is not None]


def method_note(rates: CrdcRates, results: dict) -> str:
    reserve = ", ".join(rates.reserve_codes) or "none"
    return ("**CRDC rates.** CRDC counts students (each once), so rates are risks per 100 enrolled students with "
            "Wilson intervals, and ratios are risk ratios with log-scale (Katz) intervals; when a comparison has a "
            "zero count, 0.5 is added to each cell of its 2×2 table first (Haldane–Anscombe), so no interval has zero "
            "width. Scopes are like for like: the nation is the 50 states and DC, and juvenile-justice facilities are "
            f"left out of every scope (the state is {rates.state}). For each measure a school counts only if it "
            "reported every cell of that measure and of its enrollment, so each rate's numerator and denominator "
            f"cover the same schools; reserve codes in the files: {reserve}. Students with disabilities are those "
            "served under IDEA; students without disabilities are all enrolled students minus them. "
            + audit_note(results))


def finding(rates: CrdcRates, results: dict, where: str = "the district",
            anchor: str = "District-beside-state-and-nation") -> tuple[str, str] | None:
    """The district's Black-white referral ratio, with its interval, when shown."""
    frame = results[("district", "referred")].measures["race"].set_index("group")
    if BLACK not in frame.index:
        return None
    black = frame.loc[BLACK]
    if not black["shown"] or pd.isna(black["rr_reference"]):
        return None
    word = "beyond chance" if significant(black["rr_reference_low"], black["rr_reference_high"]) else "within chance"
    return (f"CRDC {rates.year}: Black students in {where} were referred to law enforcement at "
            f"{black['rr_reference']:.1f} times the rate of white students (95% CI {black['rr_reference_low']:.1f} to "
            f"{black['rr_reference_high']:.1f}; {word}).", anchor)


def disability_finding(rates: CrdcRates, results: dict, where: str = "district",
                       anchor: str = "District-beside-state-and-nation") -> tuple[str, str] | None:
    frame = results[("district", "referred")].measures.get("disability")
    if frame is None:
        return None
    frame = frame.set_index("group")
    if "with" not in frame.index or not frame.loc["with", "shown"] or pd.isna(frame.loc["with", "rr_reference"]):
        return None
    row = frame.loc["with"]
    return (f"CRDC {rates.year}: {where} students with disabilities (IDEA) were referred to law enforcement at "
            f"{row['rr_reference']:.1f} times the rate of students without disabilities (95% CI "
            f"{row['rr_reference_low']:.1f} to {row['rr_reference_high']:.1f}).", anchor)


def absent_words(school_year: str, years: list[str]) -> str:
    """What would fill the CRDC section, in plain words (the collections the package can read)."""
    what = ("would set the district's referrals to law enforcement, arrests and out-of-school suspensions by race, "
            "sex and disability beside the state and the nation")
    if school_year in years:
        return f"the federal Civil Rights Data Collection school files for {school_year} ({CRDC_URL}) {what}"
    return (f"the federal Civil Rights Data Collection has no {school_year} collection (it covers {', '.join(years)} here); the nearest one's school files ({CRDC_URL}) {what}")
