"""What the annual_review report says for one school year: data status, published series, key findings, limits.

Inputs arrive as objects (the notebook's load-inputs cell reads the files) and results are computed once
per year and passed in: the export's tables (analysis.police_contacts.YearTables), the CRDC year's rates
and breakdowns (analysis.crdc_rates, crdc_breakdowns). Sections live beside this module:
annual_review_incidents, annual_review_crdc, annual_review_figures, with shared words in annual_review_format.
"""

from __future__ import annotations

import pandas as pd

from sro_research.analysis import police_contacts as pc
from sro_research.district import DistrictProfile
from sro_research.readers.crdc import CRDC_URL, LAYOUTS, CrdcYear
from sro_research.readers.incidents import IncidentData
from sro_research.reports import annual_review_crdc as arc
from sro_research.reports.annual_review_format import BLACK, fmt, years_text
from sro_research.stats.disproportionality import significant

PUBLISHED_ANCHOR = "Published-series"  # the published series' section heading, as an anchor


def data_status(export: IncidentData | None, crdc: dict[str, CrdcYear], district: DistrictProfile) -> tuple[str, str]:
    """("synthetic" | "real" | "published", detail) for reporting.set_data_status.

    Every export year and CRDC year given appears on the page (in the trend), so each one counts; an
    invented (synthetic) district makes every number synthetic.
    """
    parts, synthetic, real = [f"published {district.short_name} figures"], False, False
    if export is not None:
        synthetic |= export.is_synthetic
        real |= not export.is_synthetic
        parts.append(("SYNTHETIC " if export.is_synthetic else "") + "district incident export")
    for year, data in crdc.items():
        synthetic |= data.is_synthetic
        real |= not data.is_synthetic
        parts.append(("SYNTHETIC " if data.is_synthetic else "") + f"CRDC {year}")
    status = "synthetic" if synthetic else "real" if real else "published"
    return district.data_status(status), "; ".join(parts)


def synthetic_notice(export: IncidentData | None, crdc: dict[str, CrdcYear], district: DistrictProfile) -> str | None:
    names = []
    if export is not None and export.is_synthetic:
        names.append("the district incident export and its enrollment figures")
    names += [f"the CRDC {year} files" for year, data in crdc.items() if data.is_synthetic]
    if not names:
        return None
    return (f"Synthetic demonstration data, not {district.name} records: " + " and ".join(names) + " were invented "
            f"to show what this review computes. Only the published {district.short_name} series are real figures; "
            "every table and chart built from the synthetic files describes invented students.")


def _source_title(published: pd.DataFrame, source_id: str) -> str:
    source = published.attrs.get("sources", {}).get(source_id, {})
    return f"{source.get('title', source_id)} ({source.get('publisher', '')}), {source.get('url', '')}"


def _measures(district: DistrictProfile) -> tuple[str, str]:
    """(the suspension series, the referrals to the prosecutor): measure names in the district's published
    discipline figures, from its profile's [figures] discipline_series and prosecutor_referrals."""
    return district.figures["discipline_series"], district.figures["prosecutor_referrals"]


def published_series_table(published: pd.DataFrame, district: DistrictProfile) -> pd.DataFrame:
    suspended, referred = _measures(district)
    rows = published[published["measure"].isin([suspended, "enrollment_share_pct", "suspended_share_pct", referred])]
    return pd.DataFrame({
        "School year": rows["school_year"], "Measure": rows["measure"].str.replace("_", " ").str.replace(" pct", " (%)"),
        "Group": rows["group"], "Published value": rows["value_text"], "Counted": rows["note"].where(rows["note"] != "", "—"),
        "Source": [_source_title(published, s) for s in rows["source_id"]],
    })


def same_point_series(published: pd.DataFrame, district: DistrictProfile) -> pd.DataFrame:
    rows = published[(published["measure"] == _measures(district)[0])
                     & published["flags"].str.contains("same_point_in_year")]
    return rows.sort_values("school_year")[["school_year", "value"]]


def published_composition(published: pd.DataFrame, group: str = "Black students") -> dict | None:
    """Share of suspended students vs share of enrollment, from the published figures of one year."""
    pick = published[published["group"] == group].set_index("measure")
    if not {"enrollment_share_pct", "suspended_share_pct"} <= set(pick.index):
        return None
    enrolled, suspended = pick.loc["enrollment_share_pct"], pick.loc["suspended_share_pct"]
    return {"year": suspended["school_year"], "enrollment_share": enrolled["value"],
            "suspended_share": suspended["value"], "index": suspended["value"] / enrolled["value"]}


def prosecutor_change(published: pd.DataFrame, district: DistrictProfile) -> dict:
    rows = published[published["measure"] == _measures(district)[1]].sort_values("school_year")
    first, last = rows.iloc[0], rows.iloc[-1]
    return {"from_year": first["school_year"], "from": first["value"], "to_year": last["school_year"],
            "to": last["value"], "change_pct": 100 * (last["value"] - first["value"]) / first["value"]}


def published_section(district: DistrictProfile) -> str:
    """What the published series' section (PUBLISHED_ANCHOR) holds, in the district's words."""
    return (f"The public figures on {district.possessive} suspensions and referrals to the {district.prosecutor}, "
            "each with its source. The same-point-in-year rates were counted to the same date each year (the "
            "table's *Counted* column says which).")


def heading(school_year: str) -> str:
    """The page's first heading: the year first, so a phone shows it at once."""
    return f"# {school_year} annual review: police contacts, discipline and disproportionality"


def export_years(export: IncidentData | None, threshold: int) -> dict[str, pc.YearTables]:
    """Every export year's protected tables, computed once (the year under review and the trend share them)."""
    if export is None:
        return {}
    years = {year: pc.year_tables(export, year, threshold) for year in export.years()}
    return {year: tables for year, tables in years.items() if tables is not None}


def _published_this_year(published: pd.DataFrame, school_year: str, district: DistrictProfile) -> list[tuple[str, ...]]:
    series = same_point_series(published, district)
    this = series[series["school_year"] == school_year]
    if this.empty:
        return []
    first = series.iloc[0]
    since = (f", against {fmt(first['value'])}% in {first['school_year']}" if first["school_year"] != school_year else "")
    return [(f"Published: in {school_year}, {fmt(this['value'].iloc[0])}% of Black {district.short_name} students were "
             f"suspended at least once, counted to the same point of the year{since}.", PUBLISHED_ANCHOR, "published")]


def _export_finding(school_year: str, measures: dict, threshold: int) -> tuple[str, str]:
    black = measures["police"].set_index("race").loc[BLACK]
    if black["shown"] and pd.notna(black["rr_reference"]):
        word = "a difference beyond chance" if significant(black["rr_reference_low"], black["rr_reference_high"]) else "within chance"
        return (f"Incident export, {school_year}: Black students' citation, arrest or referral involvements were "
                f"{black['rr_reference']:.1f} times white students' per 100 students (95% CI "
                f"{black['rr_reference_low']:.1f} to {black['rr_reference_high']:.1f}, allowing for clustering in "
                f"schools; {word}).", "Incidents-this-year")
    return (f"Incident export, {school_year}: the police-contact counts needed for a Black-white comparison are "
            f"below the suppression threshold ({threshold}).", "Incidents-this-year")


def _context(published: pd.DataFrame, district: DistrictProfile) -> list[tuple[str, ...]]:
    series = same_point_series(published, district)
    first, last = series.iloc[0], series.iloc[-1]
    findings = [(f"Published: the share of Black {district.short_name} students suspended at least once, counted to "
                 f"the same point of each year, went from {fmt(first['value'])}% in {first['school_year']} to "
                 f"{fmt(last['value'])}% in {last['school_year']}.", PUBLISHED_ANCHOR, "published")]
    composition = published_composition(published)
    if composition:
        findings.append((f"Published: in {composition['year']} Black students were {fmt(composition['enrollment_share'], 0)}% "
                         f"of enrollment but {fmt(composition['suspended_share'])}% of students suspended, "
                         f"{composition['index']:.1f} times their share.", PUBLISHED_ANCHOR, "published"))
    change = prosecutor_change(published, district)
    findings.append((f"Published: school crimes referred to the {district.prosecutor} from {district.short_name} went "
                     f"from {change['from']:,.0f} in {change['from_year']} to {change['to']:,.0f} in {change['to_year']} "
                     f"({change['change_pct']:+.0f}%).", PUBLISHED_ANCHOR, "published"))
    return findings


def key_findings(published: pd.DataFrame, school_year: str, export_measures: dict | None,
                 crdc_findings: list[tuple[str, str]], threshold: int, district: DistrictProfile) -> list[tuple[str, ...]]:
    """The year's own findings first (published, export, CRDC), then the published context."""
    own = _published_this_year(published, school_year, district)
    if export_measures:
        own.append(_export_finding(school_year, export_measures, threshold))
    own += crdc_findings
    if not own:
        own = [(f"No published figure, incident export or CRDC collection for {school_year} is available to this "
                "review; the findings below are from published figures for other years.", PUBLISHED_ANCHOR,
                "published")]
    seen = {f[0] for f in own}
    return (own + [f for f in _context(published, district) if f[0] not in seen])[:6]


def absent_sections_note(school_year: str, has_export: bool, has_crdc: bool) -> str | None:
    """One plain note for the sections this year has no data for, saying what would fill them."""
    missing = []
    if not has_export:
        missing.append("the district's incident records for the year (one row per student per incident, with "
                       "enrollment by school and race) would show how often students of each race met police or "
                       "were suspended, with SRO involvement at each stage")
    if not has_crdc:
        missing.append(arc.absent_words(school_year, list(LAYOUTS)))
    if not missing:
        return None
    return f"**Not in this review for {school_year}.** " + " ".join(m[0].upper() + m[1:] + "." for m in missing)


def crdc_years_status(crdc: dict[str, CrdcYear]) -> dict[str, bool]:
    return {year: data.is_synthetic for year, data in crdc.items()}


def limits_markdown(published: pd.DataFrame, district: DistrictProfile) -> str:
    flagged = years_text(same_point_series(published, district)["school_year"])
    other = published[(published["measure"] == _measures(district)[0])
                      & ~published["flags"].str.contains("same_point_in_year")]
    others = years_text([f"{r.value_text} in {r.school_year}" for r in other.itertuples()]) or "none"
    return "\n".join([
        f"- **Same point in the year is not a full year.** The published suspension rates for {flagged} were counted "
        "to the same point of each year (see the table's notes), so they are not full-year rates. Figures for "
        f"Black students counted over another, unstated period ({others}) are not comparable with them.",
        "- **CRDC counts students, not incidents.** A student referred three times is one referred student; "
        "the incident export counts each involvement, so its rates are involvements per 100 students, not the "
        "share of students. CRDC's arrested students need not be among those it counts as referred.",
        "- **Counts below the suppression threshold are hidden**, with further cells where a total would reveal "
        "them; a rate, ratio or share whose count is hidden is not shown.",
        "- **Disparity is not cause.** A ratio above 1 says one group meets police or suspension more often; "
        "it does not say why (behavior, referral decisions, school assignment, officer presence).",
        "- **Nothing here measures whether officers made schools safer.** These are counts of contacts and "
        "removals; no figure in this review measures safety, victimization or school climate.",
        f"- **CRDC is collected every other year and published late**: this review can use the collections of "
        f"{years_text(LAYOUTS)}, from {CRDC_URL}.",
    ])
