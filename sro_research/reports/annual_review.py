"""What the annual_review report shows: reader-ready tables, charts and sentences for one school year.

Inputs arrive as objects (the notebook's load-inputs cell reads the files): the published MPS series,
an incident export with enrollment (IncidentData, synthetic by default), and CRDC years (CrdcYear).
Counts are suppressed in analysis.police_contacts before any measure reaches these functions.
"""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import pandas as pd

from sro_research.analysis import police_contacts as pc
from sro_research.privacy.suppression import SUPPRESSED, TOTAL
from sro_research.readers.crdc import CRDC_URL, LAYOUTS, MEASURE_LABELS, CrdcYear, scope_totals, staff_totals
from sro_research.readers.incidents import RACES, IncidentData
from sro_research.stats.disproportionality import risk, significant
from sro_research.synthetic import incidents as shipped

RACE_LABELS = {**RACES, pc.NOT_GIVEN: "Not given"}
SCOPES = {"district": "District", "state": "State", "nation": "Nation (all schools in the files)"}
STAGE_LABELS = {"incident": "Involved in an incident (per 100 enrolled)",
                "sro_involved": "SRO involved (per 100 incident involvements)",
                "citation_or_arrest": "Citation, arrest or referral (per 100 SRO-involved)",
                "referred": "Referred to law enforcement (per 100 enrolled)",
                "arrested": "School-related arrest (per 100 referred)"}
OUTCOME_LABELS = {"suspension": "Suspension", "police": "Citation, arrest or county attorney referral",
                  "sro": "SRO involved"}
BLACK = "black"


# --------------------------------------------------------------------------- formatting


def _fmt(value: float, digits: int = 1) -> str:
    return "—" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:,.{digits}f}"


def _with_ci(row, stem: str, shown: bool = True, digits: int = 1) -> str:
    if not shown:
        return SUPPRESSED
    value, low, high = row[stem], row[f"{stem}_low"], row[f"{stem}_high"]
    if pd.isna(value):
        return "—"
    return f"{value:,.{digits}f} ({_fmt(low, digits)} to {_fmt(high, digits)})"


def _count(value) -> str:
    return SUPPRESSED if pd.isna(value) else f"{int(value):,}"


# --------------------------------------------------------------------------- inputs and status


def export_paths(incidents_path: str | None, enrollment_path: str | None, mapping_path: str | None):
    """(incidents, enrollment, mapping) to read: the shipped SYNTHETIC files and their mapping by default."""
    if incidents_path is None:
        return shipped.incidents_path(), shipped.enrollment_path(), mapping_path or shipped.mapping_path()
    if enrollment_path is None:
        raise ValueError("incidents_path is set but enrollment_path is not: rates need the enrollment file beside the export")
    return incidents_path, enrollment_path, mapping_path


def crdc_absent_note(crdc: dict[str, CrdcYear], school_year: str) -> str:
    given = ", ".join(crdc) or "none"
    return (f"No CRDC files for {school_year} were given (CRDC years read: {given}). With the public-use school files "
            f"(from the U.S. Department of Education's Office for Civil Rights, {CRDC_URL}, saved under a folder "
            "passed as `crdc_dir`), this section shows, by race, the share of district students referred to law "
            "enforcement, arrested in school-related arrests and suspended out of school, beside the state and the "
            "nation, the relative rate index from enrollment to referral to arrest, and sworn officer FTE. The reader "
            f"knows the layouts of {_years_text(LAYOUTS)}; other years have no CRDC collection or are not yet read.")


def _years_text(years) -> str:
    years = list(years)
    return ", ".join(years[:-1]) + f" and {years[-1]}" if len(years) > 1 else "".join(years)




def data_status(export: IncidentData | None, crdc: dict[str, CrdcYear]) -> tuple[str, str]:
    """("synthetic" | "real" | "published", detail) for reporting.set_data_status.

    Every export year and CRDC year given appears on the page (in the trend), so each one counts.
    """
    parts, synthetic, real = ["published MPS figures (data/published)"], False, False
    if export is not None:
        synthetic |= export.is_synthetic
        real |= not export.is_synthetic
        parts.append(("SYNTHETIC " if export.is_synthetic else "") + "district incident export")
    for year, data in crdc.items():
        synthetic |= data.is_synthetic
        real |= not data.is_synthetic
        parts.append(("SYNTHETIC " if data.is_synthetic else "") + f"CRDC {year}")
    status = "synthetic" if synthetic else "real" if real else "published"
    return status, "; ".join(parts)


def synthetic_notice(export: IncidentData | None, crdc: dict[str, CrdcYear]) -> str | None:
    names = []
    if export is not None and export.is_synthetic:
        names.append("the incident export and enrollment file (data/annual_review/*_synthetic.csv)")
    names += [f"the CRDC {year} files" for year, data in crdc.items() if data.is_synthetic]
    if not names:
        return None
    return ("Synthetic demonstration data, not Minneapolis records: " + " and ".join(names) + " were invented to "
            "show what this review computes. Only the published MPS series are real figures; every table and "
            "chart built from the synthetic files describes invented students.")


# --------------------------------------------------------------------------- published series


def _source_title(published: pd.DataFrame, source_id: str) -> str:
    source = published.attrs.get("sources", {}).get(source_id, {})
    return f"{source.get('title', source_id)} ({source.get('publisher', '')}), {source.get('url', '')}"


def published_series_table(published: pd.DataFrame) -> pd.DataFrame:
    rows = published[published["measure"].isin(["black_students_suspended_pct", "enrollment_share_pct",
                                                 "suspended_share_pct", "county_attorney_referrals"])]
    return pd.DataFrame({
        "School year": rows["school_year"], "Measure": rows["measure"].str.replace("_", " ").str.replace(" pct", " (%)"),
        "Group": rows["group"], "Published value": rows["value_text"], "Counted": rows["note"].where(rows["note"] != "", "—"),
        "Source": [_source_title(published, s) for s in rows["source_id"]],
    })


def same_point_series(published: pd.DataFrame) -> pd.DataFrame:
    rows = published[(published["measure"] == "black_students_suspended_pct")
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


def county_attorney_change(published: pd.DataFrame) -> dict:
    rows = published[published["measure"] == "county_attorney_referrals"].sort_values("school_year")
    first, last = rows.iloc[0], rows.iloc[-1]
    return {"from_year": first["school_year"], "from": first["value"], "to_year": last["school_year"],
            "to": last["value"], "change_pct": 100 * (last["value"] - first["value"]) / first["value"]}


# --------------------------------------------------------------------------- export, one year


_computed: dict = {}  # (export, year, threshold) -> tables: the trend reuses the year's, the LPs are slow


def export_tables(export: IncidentData, school_year: str, threshold: int) -> dict:
    """The year's protected tables and enrollment by race ({} when the export has no rows for the year)."""
    key = (id(export), school_year, threshold)
    if key in _computed and _computed[key][0] is export:
        return _computed[key][1]
    rows = pc.year_rows(export.incidents, school_year)
    if rows.empty:
        _computed[key] = (export, {})
    else:
        tables, audit = pc.audited_tables(rows, threshold)
        _computed[key] = (export, {"rows": len(rows), "tables": tables, "audit": audit,
                                   "enrolled": pc.enrollment_by(export.enrollment, school_year, "race_ethnicity"),
                                   "enrolled_by_type": pc.enrollment_by(export.enrollment, school_year, "school_type")})
    return _computed[key][1]


def counts_table(table, row_label: str, row_names: dict, column_names: dict) -> pd.DataFrame:
    shown = table.display().rename(index={**row_names, TOTAL: "All"}, columns={**column_names, TOTAL: "All"})
    shown.columns.name = None
    return shown.reset_index(names=row_label)


def race_table(measures: pd.DataFrame) -> pd.DataFrame:
    """Rates per 100 enrolled by race, with the ratios and the composition index, in words."""
    out = []
    for _, row in measures.iterrows():
        shown = bool(row["shown"])
        out.append({
            "Race/ethnicity": RACE_LABELS[row["race"]], "Students enrolled": _count(row["enrolled"]),
            "Involvements": _count(row["count"]), "Per 100 students (95% CI)": _with_ci(row, "risk", shown),
            "Ratio to white students (95% CI)": _with_ci(row, "rr_reference", shown, 2) if row["race"] != pc.REFERENCE else "reference",
            "Difference from white students, per 100 (95% CI)": _with_ci(row, "rd_reference", shown) if row["race"] != pc.REFERENCE else "reference",
            "Ratio to all other students (95% CI)": _with_ci(row, "rr_others", shown, 2),
            "Share of involvements (%)": SUPPRESSED if pd.isna(row["outcome_share"]) else _fmt(row["outcome_share"]),
            "Share of enrollment (%)": _fmt(row["enrollment_share"]),
            "Composition index": SUPPRESSED if pd.isna(row["composition_index"]) else _fmt(row["composition_index"], 2),
        })
    return pd.DataFrame(out)


def _rri_cell(row) -> str:
    if row["race"] == pc.REFERENCE:
        return "reference"
    if not row["shown"]:
        return SUPPRESSED
    return _with_ci(row, "rri", True, 2)  # "—" when not computable (a zero count, or white students' hidden)


def rri_table(rri: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame([{
        "Race/ethnicity": RACE_LABELS[row["race"]], "Stage": STAGE_LABELS[row["stage"]],
        "Rate (95% CI)": _with_ci(row, "rate", bool(row["shown"])),
        "Relative rate index vs white students (95% CI)": _rri_cell(row),
    } for _, row in rri.iterrows()])


def shares_by(table, numerators: list[str], row_label: str, row_names: dict) -> pd.DataFrame:
    """Per 100 incident involvements in each row (e.g. behavior level) with a numerator built from columns."""
    out = []
    for label in table.counts.index:
        total_hidden = bool(table.hidden.loc[label, TOTAL])
        hidden = bool(table.hidden.loc[label, [*numerators, TOTAL]].any())
        count = int(table.counts.loc[label, numerators].sum())
        total = int(table.counts.loc[label, TOTAL])
        value, low, high = risk(count, total)
        out.append({row_label: row_names.get(label, "All" if label == TOTAL else str(label).capitalize()),
                    "Involvements": SUPPRESSED if total_hidden else f"{total:,}",
                    "Per 100 involvements (95% CI)": SUPPRESSED if hidden else f"{value:.1f} ({low:.1f} to {high:.1f})"})
    return pd.DataFrame(out)


def plot_race_rates(measures: dict[str, pd.DataFrame], title: str):
    """Dot-and-interval chart: per 100 enrolled students by race, one panel per outcome; suppressed rows left out.
    reporting.show_figure labels a chart of synthetic data."""
    fig, axes = plt.subplots(1, len(measures), figsize=(4.2 * len(measures), 3.6), sharey=True, squeeze=False)
    for ax, (label, frame) in zip(axes[0], measures.items()):
        shown = frame[frame["shown"] & frame["risk"].notna()]
        names = [RACE_LABELS[r] for r in shown["race"]]
        ax.errorbar(shown["risk"], names, xerr=[shown["risk"] - shown["risk_low"], shown["risk_high"] - shown["risk"]],
                    fmt="o", capsize=3)
        ax.set_title(label, fontsize=10)
        ax.set_xlabel("per 100 students (95% CI)")
        ax.set_xlim(left=0)
    fig.suptitle(title, fontsize=11)
    fig.tight_layout()
    return fig


def chart_description(measures: dict[str, pd.DataFrame], title: str) -> str:
    parts = []
    for label, frame in measures.items():
        shown = frame[frame["shown"] & frame["risk"].notna()]
        values = ", ".join(f"{RACE_LABELS[r]} {v:.1f}" for r, v in zip(shown["race"], shown["risk"]))
        parts.append(f"{label}: {values or 'every group suppressed'}")
    return f"{title}. Per 100 students: " + "; ".join(parts) + "."


# --------------------------------------------------------------------------- CRDC


def crdc_comparison(crdc: CrdcYear, leaid: str, measure: str, threshold: int) -> pd.DataFrame:
    """District beside state and nation: per 100 enrolled students and the ratio to white students, by race."""
    totals = scope_totals(crdc, leaid)
    columns = {}
    for scope, name in SCOPES.items():
        frame = pc.crdc_measures(totals, scope, measure, threshold).set_index("race")
        columns[f"{name}: per 100 (95% CI)"] = {r: _with_ci(row, "risk", bool(row["shown"])) for r, row in frame.iterrows()}
        columns[f"{name}: ratio to white (95% CI)"] = {
            r: "reference" if r == pc.REFERENCE else _with_ci(row, "rr_reference", bool(row["shown"]) and pd.notna(row["rr_reference"]), 2)
            for r, row in frame.iterrows()}
    table = pd.DataFrame(columns)
    table.index = [RACE_LABELS[r] for r in table.index]
    return table.reset_index(names="Race/ethnicity")


def crdc_missing_note(crdc: CrdcYear, leaid: str) -> str:
    totals = scope_totals(crdc, leaid)
    missing = totals[totals["schools_missing"] > 0]
    if missing.empty:
        return f"CRDC {crdc.year}: no reserve codes in the counts used."
    parts = sorted({f"{SCOPES[s].split(' ')[0].lower()} {MEASURE_LABELS[m].lower()}" for s, m in zip(missing["scope"], missing["measure"])})
    codes = ", ".join(f"{c} ({m})" for c, m in crdc.reserve[["reserve_code", "meaning"]].drop_duplicates().itertuples(index=False))
    return (f"CRDC {crdc.year}: some schools carry reserve codes ({codes}); their counts are left out of the totals "
            f"for {', '.join(parts)}, so those totals are lower bounds.")


def crdc_staff_table(crdc: CrdcYear, leaid: str) -> pd.DataFrame:
    staff = staff_totals(crdc, leaid)
    return pd.DataFrame({"Scope": staff["scope"].map(SCOPES), "Schools": staff["schools"],
                         "Schools reporting officer FTE": staff["schools_reporting"],
                         "Schools with a sworn officer": staff["schools_with_officer"],
                         "Sworn law enforcement FTE": staff["law_enforcement_fte"].map(_fmt),
                         "Security guard FTE": staff["security_guard_fte"].map(_fmt)})


# --------------------------------------------------------------------------- trend


def trend_table(published: pd.DataFrame, export: IncidentData | None, crdc: dict[str, CrdcYear], leaid: str,
                threshold: int) -> pd.DataFrame:
    """Black students' suspension and police-contact measures over the years, one row per year, source and measure.

    The sources count differently, so rows are comparable only within one source and measure.
    """
    rows = [{"School year": r.school_year, "Source": "Published (same point of each year)",
             "Measure": "Black students suspended at least once (%)", "Value (95% CI)": _fmt(r.value), "value": r.value}
            for r in same_point_series(published).itertuples()]
    for year in (export.years() if export is not None else []):
        parts = export_tables(export, year, threshold)
        if not parts:
            continue
        for outcome in ("suspension", "police"):
            measures = pc.race_measures(parts["tables"], parts["enrolled"], outcome, threshold).set_index("race")
            black = measures.loc[BLACK]
            rows.append({"School year": year, "Source": "Incident export" + (" (SYNTHETIC)" if export.is_synthetic else ""),
                         "Measure": f"Black students: {OUTCOME_LABELS[outcome].lower()} involvements per 100",
                         "Value (95% CI)": _with_ci(black, "risk", bool(black["shown"])),
                         "value": black["risk"] if black["shown"] else math.nan})
    for year, data in crdc.items():
        totals = scope_totals(data, leaid)
        for measure in ("suspended_out_of_school", "referred", "arrested"):
            black = pc.crdc_measures(totals, "district", measure, threshold).set_index("race").loc[BLACK]
            rows.append({"School year": year, "Source": "CRDC" + (" (SYNTHETIC fixture)" if data.is_synthetic else ""),
                         "Measure": f"Black students: {MEASURE_LABELS[measure].lower()}, per 100",
                         "Value (95% CI)": _with_ci(black, "risk", bool(black["shown"])),
                         "value": black["risk"] if black["shown"] else math.nan})
    return pd.DataFrame(rows).sort_values(["Measure", "School year"], kind="stable").reset_index(drop=True)


def plot_trend(trend: pd.DataFrame):
    """One line per source and measure, on a year axis in order (sources are not joined to each other).
    reporting.show_figure labels it when a line comes from synthetic data."""
    shown = trend.dropna(subset=["value"])
    years = sorted(trend["School year"].unique())
    fig, ax = plt.subplots(figsize=(9, 5.5))
    for (source, measure), frame in shown.groupby(["Source", "Measure"], sort=False):
        frame = frame.sort_values("School year")
        ax.plot([years.index(y) for y in frame["School year"]], frame["value"], marker="o", label=f"{measure} [{source}]")
    ax.set_xticks(range(len(years)), years)
    ax.set_ylabel("per 100 Black students")
    ax.set_ylim(bottom=0)
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=1, frameon=False)
    ax.set_title("Black students: suspension and police-contact measures by school year", fontsize=11)
    fig.tight_layout()
    return fig


def trend_description(trend: pd.DataFrame) -> str:
    shown = trend.dropna(subset=["value"])
    return "Trend chart. " + "; ".join(f"{r['Measure']} [{r['Source']}] {r['School year']}: {r['value']:.1f}"
                                        for _, r in shown.iterrows()) + "."


# --------------------------------------------------------------------------- words


def key_findings(published: pd.DataFrame, school_year: str, export_measures: dict | None,
                 crdc_year: CrdcYear | None, leaid: str, threshold: int) -> list[tuple[str, ...]]:
    series = same_point_series(published)
    first, last = series.iloc[0], series.iloc[-1]
    findings = [(f"Published: the share of Black MPS students suspended at least once, counted to the same point "
                 f"of each year, went from {_fmt(first['value'])}% in {first['school_year']} to "
                 f"{_fmt(last['value'])}% in {last['school_year']}.", "Published-MPS-series", "published")]
    composition = published_composition(published)
    if composition:
        findings.append((f"Published: in {composition['year']} Black students were {_fmt(composition['enrollment_share'], 0)}% "
                         f"of enrollment but {_fmt(composition['suspended_share'])}% of students suspended, "
                         f"{composition['index']:.1f} times their share.", "Published-MPS-series", "published"))
    change = county_attorney_change(published)
    findings.append((f"Published: school crimes referred to the Hennepin County Attorney from MPS went from "
                     f"{change['from']:,.0f} in {change['from_year']} to {change['to']:,.0f} in {change['to_year']} "
                     f"({change['change_pct']:+.0f}%).", "Published-MPS-series", "published"))
    if export_measures:
        black = export_measures["police"].set_index("race").loc[BLACK]
        if black["shown"] and pd.notna(black["rr_reference"]):
            word = "a difference beyond chance" if significant(black["rr_reference_low"], black["rr_reference_high"]) else "within chance"
            findings.append((f"Incident export, {school_year}: Black students' citation, arrest or referral involvements "
                             f"were {black['rr_reference']:.1f} times white students' per 100 students "
                             f"(95% CI {black['rr_reference_low']:.1f} to {black['rr_reference_high']:.1f}; {word}).",
                             "Incidents-this-year"))
        else:
            findings.append((f"Incident export, {school_year}: the police-contact counts needed for a Black-white "
                             f"comparison are below the suppression threshold ({threshold}).", "Incidents-this-year"))
    if crdc_year is not None:
        black = pc.crdc_measures(scope_totals(crdc_year, leaid), "district", "referred", threshold).set_index("race").loc[BLACK]
        if black["shown"] and pd.notna(black["rr_reference"]):
            findings.append((f"CRDC {crdc_year.year}: Black students in the district were referred to law enforcement at "
                             f"{black['rr_reference']:.1f} times the rate of white students.", "District-beside-state-and-nation"))
    return findings[:6]


def limits_markdown(published: pd.DataFrame) -> str:
    flagged = _years_text(same_point_series(published)["school_year"])
    other = published[(published["measure"] == "black_students_suspended_pct")
                      & ~published["flags"].str.contains("same_point_in_year")]
    others = _years_text([f"{r.value_text} in {r.school_year}" for r in other.itertuples()]) or "none"
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
        f"- **CRDC is collected every other year and published late**: the reader knows {_years_text(LAYOUTS)}; "
        f"download from {CRDC_URL}.",
    ])
