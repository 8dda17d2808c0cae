"""The district_public_data report's tables: rates beside state and nation, staff, coverage and reserve codes,
the trend across CRDC years and the SSOCS comparison. Each names the district (the report's `scopes()`).

The comparison, coverage and staff tables are the annual review's (reports.annual_review_crdc), given the
district's words; nothing is recomputed here that analysis/ already computes once.
"""

from __future__ import annotations

import math

import pandas as pd

from sro_research.analysis import crdc_breakdowns as cb
from sro_research.analysis import ssocs_estimates
from sro_research.readers import ssocs
from sro_research.readers.crdc import MEASURE_LABELS, RESERVE_CODES
from sro_research.reports import annual_review_crdc as arc
from sro_research.reports.annual_review_format import BLACK, RACE_LABELS, fmt, with_ci
from sro_research.reports.district_public_data import ANCHORS, MEASURES, ONE_WAY, REFERENCE, DistrictData
from sro_research.reports.nces_comparisons_peer import peer_description

SSOCS_INDICATOR = "sworn_law_enforcement"


def comparison_tables(data: DistrictData) -> list[tuple[pd.DataFrame, str, str]]:
    """(table, CSV name, caption) for each measure and breakdown of the latest year, district first."""
    year, rates, results = data.latest, data.rates[data.latest], data.results[data.latest]
    out = []
    for measure in MEASURES:
        for breakdown in [b for b in cb.available(rates) if b in ONE_WAY]:
            caption = (f"{data.subject.short} beside {data.subject.state_name} and the nation — "
                       + arc.caption(year, measure, breakdown))
            out.append((worded(arc.comparison_table(results, measure, breakdown), data), f"{measure}_{breakdown}", caption))
    return out


def worded(table: pd.DataFrame, data: DistrictData) -> pd.DataFrame:
    """The table with readers' words for its scope columns ("District: per 100" -> "Example Valley: per 100"),
    as `attrs["labels"]`: the CSV keeps the stable field names (district_per_100_...), the same in every
    district's report, so a statewide fan-out's tables stack."""
    words = {arc.SCOPES[scope]: name for scope, name in data.scopes().items()}
    labels = {}
    for column in table.columns:
        scope, _, rest = str(column).partition(": ")
        if rest and scope in words:
            labels[column] = f"{words[scope]}: {rest}"
    table.attrs["labels"] = labels
    return table


def staff_table(data: DistrictData) -> pd.DataFrame:
    return arc.staff_table(data.rates[data.latest], data.scopes())


def coverage_table(data: DistrictData) -> pd.DataFrame:
    return arc.coverage_table(data.rates[data.latest], data.scopes(), MEASURES)


def reserve_table(data: DistrictData) -> pd.DataFrame:
    """Per CRDC year, measure and reserve code: how many of the district's schools carry it, and in how many cells."""
    rows = []
    for year, crdc in data.crdc.items():
        counts = crdc.counts
        mine = counts[(counts["LEAID"] == data.subject.leaid) & counts["reserve_code"].notna()]
        for (measure, code), part in mine.groupby([mine["measure"].astype(str), mine["reserve_code"]], sort=True):
            rows.append({"CRDC year": year, "Measure": MEASURE_LABELS[measure], "Reserve code": int(code),
                         "Meaning": RESERVE_CODES[int(code)], "Schools": part["COMBOKEY"].nunique(), "Cells": len(part)})
        staff = crdc.staff[crdc.staff["LEAID"] == data.subject.leaid]
        missing = int(staff["law_enforcement_fte"].isna().sum())
        if missing:
            rows.append({"CRDC year": year, "Measure": "Sworn law enforcement FTE", "Reserve code": None,
                         "Meaning": "not reported (a reserve code)", "Schools": missing, "Cells": missing})
    columns = ["CRDC year", "Measure", "Reserve code", "Meaning", "Schools", "Cells"]
    return pd.DataFrame(rows, columns=columns)


def _black_ratio(result: cb.Breakdowns) -> str:
    frame = result.measures["race"].set_index("group")
    if BLACK not in frame.index:
        return "—"
    row = frame.loc[BLACK]
    return with_ci(row, "rr_reference", bool(row["shown"]) and pd.notna(row["rr_reference"]), 2)


def trend_table(data: DistrictData) -> pd.DataFrame:
    """Per CRDC year and measure: every scope's students per 100 (95% CI), the district's Black-white ratio,
    and, per year, the district's sworn officers; `value`/`low`/`high` columns feed the chart."""
    rows = []
    for year in sorted(data.results):
        results = data.results[year]
        for measure in MEASURES:
            for scope, name in data.scopes().items():
                value = data.totals[year][(scope, measure)]
                rows.append({"CRDC year": year, "Measure": MEASURE_LABELS[measure], "Scope": name,
                             "Per 100 students (95% CI)": "suppressed" if value is None else
                             f"{fmt(value[0], 2)} ({fmt(value[1], 2)} to {fmt(value[2], 2)})",
                             "Black students' ratio to white students (95% CI)":
                             _black_ratio(results[(scope, measure)]) if scope == "district" else "",
                             "value": math.nan if value is None else value[0],
                             "low": math.nan if value is None else value[1],
                             "high": math.nan if value is None else value[2]})
    return pd.DataFrame(rows)


def clustered_table(data: DistrictData) -> pd.DataFrame | None:
    """The latest year's rates by race allowing for clustering in schools, beside each race's dispersion across
    the district's schools; a race is shown only where the suppressed table shows its counts."""
    rows = []
    for measure, frame in data.clustered.items():
        shown = data.results[data.latest][("district", measure)].measures["race"].set_index("group")["shown"]
        reference = bool(shown.get(REFERENCE, False))
        order = list(RACE_LABELS)
        for _, row in frame.sort_values("race", key=lambda races: races.map(order.index)).iterrows():
            visible = bool(shown.get(row["race"], False))
            rows.append({"Measure": MEASURE_LABELS[measure], "Race/ethnicity": RACE_LABELS[row["race"]],
                         "Per 100 students, school-clustered (95% CI)": with_ci(row, "risk", visible, 2),
                         "Ratio to white students, school-clustered (95% CI)":
                         "reference" if row["race"] == REFERENCE else
                         with_ci(row, "rr_reference", visible and reference and pd.notna(row["rr_reference"]), 2),
                         "Dispersion across schools (phi)": fmt(row["phi"], 2) if visible else "—"})
    return pd.DataFrame(rows) if rows else None


def clustered_note(data: DistrictData) -> str | None:
    if not data.clustered:
        return None
    phis = ", ".join(f"{MEASURE_LABELS[m].lower()} {fmt(f.attrs['phi'], 2)}" for m, f in data.clustered.items())
    schools = max(f.attrs["clusters"] for f in data.clustered.values())
    return ("**Allowing for clustering in schools.** Students in one school share its practice and its officers, so "
            "counts bunch by school and intervals that treat students as independent can be too narrow. Here each "
            "rate comes from a Poisson working model with school-clustered robust (sandwich) errors "
            f"over {data.subject.short}'s {schools} schools counted in CRDC {data.latest}; the dispersion "
            f"(1 when counts vary across schools no more than chance) is {phis}. With few schools the clustered "
            "intervals are themselves uncertain: read them as a check on the ones above, not a replacement.")


def staff_trend_table(data: DistrictData) -> pd.DataFrame:
    rows = []
    for year in sorted(data.rates):
        staff = data.rates[year].staff.set_index("scope").loc["district"]
        rows.append({"CRDC year": year, "Schools": int(staff["schools"]),
                     "Schools with a sworn officer": int(staff["schools_with_officer"]),
                     "Sworn law enforcement FTE": fmt(staff["law_enforcement_fte"]),
                     "Security guard FTE": fmt(staff["security_guard_fte"])})
    return pd.DataFrame(rows)


# --- NCES's SSOCS estimate for schools like the district's --------------------------------------------

def ssocs_year_for(crdc_year: str, ssocs_years: list[str]) -> str | None:
    """The SSOCS year nearest a CRDC year without being later (2020-21 -> 2019-20), among those measuring officers."""
    measured = [y for y in ssocs_years if y in ssocs.INDICATOR_YEARS[SSOCS_INDICATOR] and y <= crdc_year]
    return max(measured) if measured else None


def ssocs_years_needed(crdc_years: list[str], available: list[str]) -> list[str]:
    """The SSOCS years the report reads: one per CRDC year present (none when no SSOCS file is available)."""
    return sorted({y for y in (ssocs_year_for(c, available) for c in crdc_years) if y})


def ssocs_estimates_for(frame: pd.DataFrame | None, years: list[str], peer: dict) -> pd.DataFrame | None:
    """NCES SSOCS: the percent of all public schools, and of the peer group, with sworn officers at least weekly."""
    if frame is None or not years:
        return None
    domains = ["all", "peer_group"] if peer else ["all"]
    return ssocs_estimates.estimate_table(years, [SSOCS_INDICATOR], domains, data=frame, peer=peer or {})


def ssocs_table(data: DistrictData, estimates: pd.DataFrame | None, peer: dict) -> pd.DataFrame | None:
    """Per CRDC year: the share of each scope's reporting schools with a sworn officer, beside NCES's SSOCS
    estimates (percent of schools with sworn officers at least once a week) for the nearest SSOCS year."""
    if estimates is None or estimates.empty:
        return None
    rows = []
    for year in sorted(data.rates):
        ssocs_year = ssocs_year_for(year, sorted(estimates["year"].unique()))
        if ssocs_year is None:
            continue
        row = {"CRDC year": year}
        staff = data.rates[year].staff.set_index("scope")
        for scope, name in arc.SCOPES.items():
            part = staff.loc[scope]
            reporting = int(part["schools_reporting"])
            share = 100 * part["schools_with_officer"] / reporting if reporting else math.nan
            row[f"{name}: % of schools with a sworn officer (CRDC)"] = fmt(share)
        row["SSOCS year"] = ssocs_year
        for domain, words in (("all", "all public schools"), ("peer_group", "peer group")):
            hit = estimates[(estimates["year"] == ssocs_year) & (estimates["domain_variable"] == domain)]
            if len(hit):
                est = hit.iloc[0]
                row[f"SSOCS, {words}: % (95% CI)"] = (f"{fmt(est['estimate'])} ({fmt(est['ci_low'])} to "
                                                     f"{fmt(est['ci_high'])})" + (f" {est['flag']}" if est["flag"] else ""))
        rows.append(row)
    if not rows:
        return None
    table = worded(pd.DataFrame(rows), data)
    if peer:
        table.attrs["labels"]["SSOCS, peer group: % (95% CI)"] = f"SSOCS, {peer_description(peer)}: % (95% CI)"
    return table


def ssocs_finding(data: DistrictData, estimates: pd.DataFrame | None, peer: dict) -> tuple[str, ...] | None:
    if estimates is None or estimates.empty or data.latest is None or not peer:
        return None
    ssocs_year = ssocs_year_for(data.latest, sorted(estimates["year"].unique()))
    hit = estimates[(estimates["year"] == ssocs_year) & (estimates["domain_variable"] == "peer_group")]
    if hit.empty:
        return None
    est = hit.iloc[0]
    return (f"NCES's SSOCS estimates that {fmt(est['estimate'])}% (95% CI {fmt(est['ci_low'])} to {fmt(est['ci_high'])}) "
            f"of U.S. {peer_description(peer)} had sworn law enforcement at school at least weekly in {ssocs_year}, the "
            f"national figure for schools like {data.subject.short}'s.", ANCHORS["ssocs"], "real")  # NCES's own data


def ssocs_missing_words(available: list[str], estimates: pd.DataFrame | None) -> str | None:
    """Plain words for the SSOCS comparison's absence (None when it is shown)."""
    if estimates is not None and not estimates.empty:
        return None
    if not available:
        return ("NCES's School Survey on Crime and Safety (SSOCS) public-use files are not available to this build, so "
                "NCES's estimate for schools like the district's is not shown (the README says where to put them)")
    return ("the SSOCS years available do not match any CRDC year here, so NCES's estimate for schools like the "
            "district's is not shown")


def ssocs_note(peer: dict) -> str:
    group = peer_description(peer) if peer else "no peer group (the profile's [peer_group] is empty)"
    return ("NCES's School Survey on Crime and Safety (SSOCS) asks a national sample of public schools whether "
            "sworn law enforcement officers (including SROs) were at school at least once a week; its estimates "
            f"are for all public schools and for schools like this district's ({group}; the district profile's "
            "peer group), with jackknife Korn–Graubard intervals. CRDC counts, for every school, the sworn officers' "
            "full-time equivalents; a school with any is counted here. The two measure different things (presence "
            "at least weekly, a sample; staff employed, a census) and are not tested against each other.")
