"""The pieces of the nces_comparisons report: SSOCS estimates and tested differences beside
published figures, in the order a reader needs them (key findings, the peer comparison, the
trend, checks, then an appendix).

Everything comes in as objects: the estimates from `analysis.ssocs_estimates.estimate_table`, the
differences from `analysis.ssocs_differences.difference_table`, and the published figures as a
dict {dataset name: table from readers.published.load_published}, loaded once by the notebook.
Functions here only arrange and format them and write the plain-words sentences. Charts are in
`nces_comparisons_figures`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sro_research.analysis.ssocs_differences import PEER_KIND
from sro_research.district import DistrictProfile
from sro_research.privacy.suppression import DEFAULT_THRESHOLD
from sro_research.readers import ssocs
from sro_research.readable_tables import p_statement, p_value_text
from sro_research.readers.published import figure
from sro_research.reports import nces_comparisons_peer as words
from sro_research.reports.comparison_wording import verdict
from sro_research.stats.nces_standards import CAUTION_FLAG, CAUTION_MEANING, SUPPRESS_FLAG

PUBLISHED_DATASETS = ("ssocs_published_tables", "nces_frss_2013_14", "district_program_page", "state_sro", "nces_digest_233_70a")
SHORT_NAMES = ssocs.INDICATOR_SHORT
TREND_INDICATORS = {k: SHORT_NAMES[k] for k in ("any_security_staff", "sworn_law_enforcement")}
POLICE = ("sworn_law_enforcement", "any_sro")  # the measures the district's SRO figure is compared with
NOT_TESTED = "not tested"
# Published national percentages that sit on the trend (figure ids in data/published).
PUBLISHED_TREND = [
    # (figure_id, dataset, indicator, what it is)
    ("G52", "ssocs_published_tables", "any_security_staff", "SSOCS 2005-06, as reported in the press"),
    ("G03", "ssocs_published_tables", "any_security_staff", "SSOCS 2009-10 published table (no microdata here)"),
    ("F37", "nces_frss_2013_14", "any_security_staff", "FRSS 2013-14 published (a different survey)"),
    ("G51", "ssocs_published_tables", "any_security_staff", "SSOCS 2015-16, as reported in the press"),
    ("G50", "ssocs_published_tables", "sworn_law_enforcement", "SSOCS 2005-06, as reported in the press"),
    ("G49", "ssocs_published_tables", "sworn_law_enforcement", "SSOCS 2015-16, as reported in the press"),
]
# Which published figures play which role is the district profile's [figures]: `cited_national_sro` (the
# national SRO share the district cited), `sro_sites` (its own schools with an SRO), `state_sro` (its state's
# SRO survey figures, in the data package's state_sro dataset) and `state_sro_year` (when that survey ran).
STATE_SHORT_WORDS = (("public schools", "all"), ("high schools", "HS"), ("serving grades ", ""), (" only", ""))


def microdata_status(folder, available: list[str], years=None) -> dict:
    """Which of the requested SSOCS years can be estimated (available = years whose file is in `folder`)."""
    wanted = ssocs.check_years(years)
    missing = [y for y in wanted if y not in available]
    return {"folder": folder, "years": [y for y in wanted if y in available], "missing": missing,
            "missing_files": {y: ssocs.LAYOUTS[y].files[0] for y in missing}}


def missing_files_message(status: dict) -> str:
    """Plain words: which files would enable the microdata estimates, and where NCES publishes them."""
    files = ", ".join(f"{name} ({year})" for year, name in status["missing_files"].items())
    where = f"the folder {status['folder'].name}" if status["folder"] else "any folder"
    return (f"The NCES SSOCS public-use files {files} were not found in {where}. NCES publishes them at "
            f"{ssocs.NCES_DATA_URL}, and the project keeps a copy; built with them, this report estimates those "
            f"years with standard errors (the project's README says how).")


def start_year(school_year: str) -> int:
    return int(str(school_year)[:4])


def pct(value, digits: int = 1) -> str:
    return f"{value:.{digits}f}%"


def ci_text(row, digits: int = 1) -> str:
    return f"{row['ci_low']:.{digits}f} to {row['ci_high']:.{digits}f}"


def format_estimate(row: pd.Series) -> str:
    """NCES style: "56.5 (1.29)", "5.0 ! (2.48)", and "‡" where reporting standards are not met."""
    if row["flag"] == SUPPRESS_FLAG or not np.isfinite(row["estimate"]):
        return SUPPRESS_FLAG
    caution = f" {CAUTION_FLAG}" if row["flag"] == CAUTION_FLAG else ""
    return f"{row['estimate']:.1f}{caution} ({row['se']:.2f})"


def shown_n(n) -> str:
    """Sample sizes under the project's suppression threshold are not shown."""
    return f"{int(n):,}" if n >= DEFAULT_THRESHOLD else f"fewer than {DEFAULT_THRESHOLD}"


def downloadable_estimates(estimates: pd.DataFrame) -> pd.DataFrame:
    """Every estimate for the report's CSV, with sample sizes under the suppression threshold left blank."""
    out = estimates.copy()
    out["n"] = out["n"].astype("Int64").where(out["n"] >= DEFAULT_THRESHOLD)
    return out


def _rows(estimates, indicator=None, variable=None, value=None, year=None) -> pd.DataFrame:
    keep = pd.Series(True, index=estimates.index)
    for column, wanted in (("indicator", indicator), ("domain_variable", variable), ("domain_value", value), ("year", year)):
        if wanted is not None:
            keep &= estimates[column] == wanted
    return estimates[keep]


# -- published figures ----------------------------------------------------------------------------


def published_trend_points(published: dict) -> pd.DataFrame:
    """The published national percentages for the trend, with figure id and source."""
    rows = []
    for figure_id, dataset, indicator, kind in PUBLISHED_TREND:
        row = figure(published[dataset], figure_id=figure_id)
        rows.append({"year": row["school_year"], "indicator": indicator, "estimate": float(row["value"]),
                     "printed": row["value_text"], "kind": kind, "figure_id": figure_id, "source_id": row["source_id"],
                     "has_microdata": row["school_year"] in ssocs.YEARS})
    return pd.DataFrame(rows)


def published_points_table(points: pd.DataFrame) -> pd.DataFrame:
    shown = points.assign(Measure=points["indicator"].map(SHORT_NAMES))[["year", "Measure", "printed", "kind", "figure_id", "source_id"]]
    return shown.rename(columns={"year": "Year", "printed": "As published", "kind": "What it is", "figure_id": "Figure", "source_id": "Source"})


def cited_figure(published: dict, district: DistrictProfile) -> pd.Series:
    """The national SRO percentage the district cited (a claim the report compares against)."""
    return figure(published["district_program_page"], figure_id=district.figures["cited_national_sro"])


def _state_short(group: str, district: DistrictProfile) -> str:
    """A chart label for a state figure: 'WI SRO: HS' for 'Wisconsin high schools'."""
    words = group.removeprefix(district.state_name).strip()
    for long, short in STATE_SHORT_WORDS:
        words = words.replace(long, short)
    return f"{district.state} SRO: {words}"


def local_figures(published: dict, district: DistrictProfile) -> pd.DataFrame:
    """The district's and its state's SRO figures, as published, with figure ids (the profile's [figures])."""
    sites = figure(published["district_program_page"], figure_id=district.figures["sro_sites"])
    schools = sites["group"][:1].lower() + sites["group"][1:]  # "comprehensive high schools"
    rows = [{
        "Who": f"{district.short_name} {schools}", "Measure": "had an SRO", "Year": sites["school_year"],
        "Estimate (%)": 100.0, "95% CI": f"none: all {int(sites['value'])} schools counted, not a sample",
        "As published": f"{sites['value_text']} of {sites['value_text']} {schools}",
        "Source": f"{sites['source_id']} ({sites['figure_id']})", "Short": f"{district.short_name} {sites['school_year']}",
    }]
    for figure_id in district.figures.get("state_sro", []):
        row = figure(published["state_sro"], figure_id=figure_id)
        flags = f" [{row['flags']}]" if isinstance(row["flags"], str) and row["flags"] else ""
        short = _state_short(row["group"], district) + (" (unverified)" if "unverified" in flags else "")
        rows.append({"Who": row["group"], "Measure": "served by / had an SRO",
                     "Year": district.figures.get("state_sro_year", "as published"),
                     "Estimate (%)": float(row["value"]), "95% CI": "not published", "As published": f"{row['value_text']}{flags}",
                     "Source": f"{row['source_id']} ({figure_id})", "Short": short})
    return pd.DataFrame(rows)


def published_high_school_sro(published: dict) -> pd.DataFrame:
    """NCES's published counts of public high schools with an SRO, and the percent they imply
    (computed from two counts NCES rounded to the nearest 100; NCES published no SE with them)."""
    table = published["ssocs_published_tables"]
    table = table[table["group"] == "High school"]
    sro = table[table["measure"] == "sro_schools"]
    schools = table[(table["measure"] == "public_schools") & table["source_id"].isin(sro["source_id"])]
    sro, schools = sro.set_index("school_year"), schools.set_index("school_year")
    if sro.index.duplicated().any() or schools.index.duplicated().any():
        raise ValueError("ssocs_published_tables: more than one high-school SRO count for a year")
    years = [y for y in sro.index if y in schools.index]
    out = pd.DataFrame({
        "Year": years,
        "High schools with an SRO": [sro.loc[y, "value_text"] for y in years],
        "Public high schools": [schools.loc[y, "value_text"] for y in years],
        "Percent (computed)": [round(100 * sro.loc[y, "value"] / schools.loc[y, "value"], 1) for y in years],
        "Figures": [f"{sro.loc[y, 'figure_id']}, {schools.loc[y, 'figure_id']}" for y in years],
        "Source": [sro.loc[y, "source_id"] for y in years],
    })
    return out.sort_values("Year", key=lambda s: s.map(start_year)).reset_index(drop=True)


# -- the peer comparison --------------------------------------------------------------------------


def peer_comparison(estimates: pd.DataFrame, differences: pd.DataFrame, peer_group: dict | None = None) -> pd.DataFrame:
    """Peer group against all schools of its level, year by measure, with the tested difference.
    Column names stay the same whatever the peer group (the caption names it)."""
    tests = differences[differences["kind"] == PEER_KIND].set_index(["year", "indicator"])
    compared = words.comparison_rows(estimates, peer_group)
    rows = []
    for _, peer in _rows(estimates, variable="peer_group").iterrows():
        if peer["indicator"] not in (*POLICE, "any_security_staff"):
            continue
        hs = _rows(compared, peer["indicator"], year=peer["year"])
        test = tests.loc[(peer["year"], peer["indicator"])] if (peer["year"], peer["indicator"]) in tests.index else None
        suppressed = peer["flag"] == SUPPRESS_FLAG
        rows.append({
            "Year": peer["year"], "Measure": SHORT_NAMES[peer["indicator"]],
            "Peer group (%)": SUPPRESS_FLAG if suppressed else f"{peer['estimate']:.1f}{' ' + CAUTION_FLAG if peer['flag'] == CAUTION_FLAG else ''}",
            "95% CI": SUPPRESS_FLAG if suppressed else ci_text(peer),
            "Sampled schools": shown_n(peer["n"]),
            "Schools nationally (SE)": SUPPRESS_FLAG if suppressed else f"{peer['weighted_schools']:,.0f} ({peer['weighted_schools_se']:,.0f})",
            "All schools at its level (%)": f"{hs.iloc[0]['estimate']:.1f}" if len(hs) else "—",
            "Difference (points)": f"{test['difference']:+.1f}" if test is not None else "—",
            "p-value": p_value_text(test["p_value"], missing=NOT_TESTED) if test is not None else NOT_TESTED,
            "Verdict": verdict(test) if test is not None else NOT_TESTED,
            "order": (list(POLICE) + ["any_security_staff"]).index(peer["indicator"]),
        })
    if not rows:
        return pd.DataFrame()
    out = pd.DataFrame(rows).sort_values(["order", "Year"]).drop(columns="order")
    return out.reset_index(drop=True)


def peer_definition_table(definitions: pd.DataFrame) -> pd.DataFrame:
    """`ssocs_estimates.peer_definition_table` in words."""
    return definitions.rename(columns={
        "year": "Year", "definition": "Peer group that year", "cannot_match": "What the file cannot match",
        "sampled_schools_meeting_other_criteria": "Sampled schools meeting level, locale and size",
        "in_peer_group": "In the peer group", "dropped_unknown": "Dropped (minority share unknown)", "why_dropped": "Why dropped",
    })


def peer_sentences(estimates: pd.DataFrame, differences: pd.DataFrame, peer_group: dict | None = None) -> str:
    """What the peer comparison shows, year by year, with the tested verdict against all schools of its level."""
    tests = differences[differences["kind"] == PEER_KIND].set_index(["year", "indicator"])
    lines = []
    measure_words = {"sworn_law_enforcement": "had sworn law enforcement officers (including SROs) at least once a week",
                     "any_sro": "had a School Resource Officer"}
    for indicator in POLICE:
        for _, r in _rows(estimates, indicator, "peer_group").sort_values("year").iterrows():
            if r["flag"] == SUPPRESS_FLAG:
                continue
            caution = f"{CAUTION_MEANING}; " if r["flag"] == CAUTION_FLAG else ""
            line = (f"- {r['year']}: an estimated **{r['estimate']:.0f}%** ({caution}95% CI {r['ci_low']:.0f}% to "
                    f"{r['ci_high']:.0f}%) of the peer group's schools ({shown_n(r['n'])} sampled) {measure_words[indicator]}")
            if (r["year"], indicator) in tests.index:
                t = tests.loc[(r["year"], indicator)]
                line += (f": {verdict(t)} than the {t['estimate_from']:.0f}% of {words.comparison_words(peer_group)} "
                         f"(difference {t['difference']:+.1f} points, {p_statement(t['p_value'])})")
            lines.append(line + ".")
    certain = _rows(estimates, variable="peer_group")
    certain = certain[(certain["se"] == 0) & (certain["estimate"] >= 100)]
    if not certain.empty:
        lines.append(f"- Where an estimate is 100% ({', '.join(sorted(set(certain['year'])))}), every sampled school in the group "
                     "said yes, so the [replicate weights](#glossary-replicate-weights) give no variance; the interval shown is the "
                     "exact ([Clopper-Pearson](#glossary-korn-graubard)) interval from the sampled count, and the true share "
                     "may be a little below 100%.")
    return "\n".join(lines)


# -- trend and key findings -------------------------------------------------------------------------


def trend_sentences(differences: pd.DataFrame) -> str:
    """The tested changes for all public schools, within each comparable block of years."""
    changes = differences[(differences["kind"] == "year_change") & (differences["domain_variable"] == "all")
                          & differences["indicator"].isin(TREND_INDICATORS) & differences["comparable"]]
    lines = []
    for _, c in changes.iterrows():
        lines.append(f"- {TREND_INDICATORS[c['indicator']]}, all public schools, {c['from']} to {c['to']}: "
                     f"{c['estimate_from']:.1f}% to {c['estimate_to']:.1f}% ({c['difference']:+.1f} points, "
                     f"{p_statement(c['p_value'])}): {verdict(c)}.")
    return "\n".join(lines)


PEER_ANCHOR = "A-peer-group-of-similar-schools"  # nbconvert's id of the notebook's peer-group heading
TREND_ANCHOR = "Security-staff-and-police-over-time"
def key_findings(estimates: pd.DataFrame, differences: pd.DataFrame, local: pd.DataFrame, digest: pd.DataFrame,
                 counts: pd.DataFrame, peer_group: dict | None = None, sites_level: str | None = None) -> list[tuple[str, str]]:
    """3-6 computed sentences, each with the anchor of its section; the peer group is named from
    `peer_group` (the report's parameters), never from the default. `sites_level`: the school level of the
    district's own SRO sites (its profile's peer-group level); their count is set beside a peer group of that level."""
    findings = []
    peer = _rows(estimates, "sworn_law_enforcement", "peer_group")
    peer = peer[peer["flag"] != SUPPRESS_FLAG]
    tests = differences[(differences["kind"] == PEER_KIND) & (differences["indicator"] == "sworn_law_enforcement")]
    if not peer.empty:
        compared = words.comparison_words(peer_group)
        said = pd.Series([verdict(test) for _, test in tests.iterrows()], dtype=object).value_counts(sort=False)
        if said.empty:
            verdict_words = f"no year's difference from {compared} could be tested"
        elif len(said) == 1:
            gaps = tests["difference"].abs()
            size = (f"{gaps.min():.0f} to {gaps.max():.0f}" if round(gaps.min()) != round(gaps.max()) else f"{gaps.min():.0f}")
            by = f", by {size} percentage points" if said.index[0].startswith("significantly") else f" (differences of {size} points)"
            verdict_words = f"{said.index[0]} than {compared} in every year tested{by}"
        else:
            verdict_words = (f"compared with {compared}, " + ", ".join(f"{v} in {n} of {len(tests)} years tested" for v, n in said.items()))
        findings.append((f"Among U.S. public {words.peer_description(peer_group)}, an estimated "
                         f"{peer['estimate'].min():.0f}% to {peer['estimate'].max():.0f}% had sworn law enforcement "
                         f"officers, including SROs, at least once a week in {words.year_span(list(peer['year']))}: {verdict_words}.",
                         PEER_ANCHOR))
        own = local.iloc[0]
        if sites_level and words.level_words(peer_group) == words.LEVEL_WORDS.get(sites_level):
            findings.append((f"{own['Who']} all had an SRO ({own['As published']}, {own['Year']}); among the peer group an "
                             f"estimated {peer['estimate'].min():.0f}% to {peer['estimate'].max():.0f}% had police at least "
                             "weekly. The district counted all its schools, so no test of 'above' or 'below' applies.", PEER_ANCHOR))
    trend = differences[(differences["kind"] == "year_change") & (differences["domain_variable"] == "all")
                        & (differences["indicator"] == "sworn_law_enforcement") & differences["comparable"]]
    if not trend.empty:
        span = trend.assign(length=trend["to"].map(start_year) - trend["from"].map(start_year)).sort_values("length").iloc[-1]
        findings.append((f"Across all U.S. public schools, sworn law enforcement at least once a week went from "
                         f"{span['estimate_from']:.1f}% in {span['from']} to {span['estimate_to']:.1f}% in {span['to']}: "
                         f"{verdict(span)}.", TREND_ANCHOR))
    all_hs = _rows(estimates, "sworn_law_enforcement", "level", "High school")
    all_schools = _rows(estimates, "sworn_law_enforcement", "all")
    common = sorted(set(all_hs["year"]) & set(all_schools["year"]), key=start_year)
    if common:
        year = common[-1]
        overall = all_schools[all_schools["year"] == year].iloc[0]["estimate"]
        high = all_hs[all_hs["year"] == year].iloc[0]["estimate"]
        if high > overall:
            findings.append((f"National figures for all public schools, most of them elementary, understate police presence in "
                             f"high schools: in {year}, {overall:.0f}% of all public schools against {high:.0f}% of high schools.",
                             TREND_ANCHOR))
    if not digest.empty:
        same = int((digest["Same to the printed decimal"] == "yes").sum())
        counted = f", and {int(counts['Within NCES rounding'].eq('yes').sum())} of {len(counts)} NCES published counts of schools to NCES's rounding" if len(counts) else ""
        findings.append((f"The method reproduces {same} of {len(digest)} cells of NCES Digest Table 233.70a to the printed decimal{counted}.",
                         "Checks-against-NCES-published-tables"))
    if not findings:  # e.g. a run limited to indicators the chosen years do not measure
        years = sorted(set(estimates["year"]), key=start_year)
        findings.append((f"This run made {len(estimates):,} national estimates"
                         + (f" ({', '.join(years)})" if years else "") + "; none of them bears on the peer comparison or the trend.",
                         "How-the-estimates-are-made"))
    return findings[:6]


# -- checks and appendix ------------------------------------------------------------------------------

DIGEST_INDICATORS = {"security_staff_full_time_pct": "security_full_time", "security_staff_part_time_only_pct": "security_part_time_only"}


def digest_check(estimates: pd.DataFrame, digest: pd.DataFrame) -> pd.DataFrame:
    """Our 2015-16 estimates beside NCES Digest Table 233.70a, cell by cell, to its printed decimals."""
    digest = digest[(digest["school_year"] == "2015-16") & digest["value"].notna()]
    ours = estimates[estimates["year"] == "2015-16"]
    rows = []
    for _, row in digest.iterrows() if not ours.empty else []:
        hit = ours[(ours["indicator"] == DIGEST_INDICATORS[row["measure"]]) & (ours["domain_value"] == row["group"])
                   & ours["domain_variable"].isin(["all", "level", "level_grouped", "enrollment_size"])]
        if hit.empty:
            continue
        got = hit.iloc[0]
        same = round(got["estimate"], 1) == row["value"] and round(got["se"], 2) == row["se"]
        rows.append({"Group": row["group"], "Measure": SHORT_NAMES[DIGEST_INDICATORS[row["measure"]]],
                     "Published (SE)": f"{row['value']:.1f} ({row['se']:.2f})", "This report (SE)": f"{got['estimate']:.1f} ({got['se']:.2f})",
                     "Same to the printed decimal": "yes" if same else "NO", "Figure": row["figure_id"]})
    return pd.DataFrame(rows)


def count_check(check: pd.DataFrame) -> pd.DataFrame:
    """`ssocs_estimates.published_count_check` in words."""
    if check.empty:
        return pd.DataFrame()
    measures = {"security_staff_schools": "Schools with security staff", "sro_schools": "Schools with an SRO", "public_schools": "Public schools"}
    return pd.DataFrame({
        "Year": check["year"], "Count": check["measure"].map(measures), "Group": check["group"], "NCES published": check["published"],
        "This report": check["estimate"].map(lambda v: f"{v:,.0f}"),
        "SE": check["se"].map(lambda v: f"{v:,.0f}" if np.isfinite(v) else "—"),
        "95% CI": [f"{lo:,.0f} to {hi:,.0f}" if np.isfinite(lo) else "—" for lo, hi in zip(check["ci_low"], check["ci_high"], strict=True)],
        "Within NCES rounding": check["within_rounding"].map({True: "yes", False: "no"}),
        "Figure": check["figure_id"],
    })


def domain_table(estimates: pd.DataFrame, domain_variable: str) -> pd.DataFrame:
    """One row per year and group, one column per indicator: "estimate (SE)" with NCES flags."""
    rows = estimates[estimates["domain_variable"] == domain_variable].copy()
    if rows.empty:
        return pd.DataFrame()
    rows["cell"] = rows.apply(format_estimate, axis=1)
    labels = [*ssocs.LEVELS, *ssocs.LEVEL_GROUPS, *ssocs.SIZES, *ssocs.LOCALES, *ssocs.MINORITY, *ssocs.PERCENT_WHITE]
    order = {v: i for i, v in enumerate(dict.fromkeys(labels))}
    wide = rows.pivot_table(index=["year", "domain_value"], columns="indicator", values="cell", aggfunc="first")
    wide = wide[[i for i in SHORT_NAMES if i in wide.columns]].rename(columns=SHORT_NAMES)
    wide.columns.name = None
    wide.insert(0, "Schools in sample", rows.groupby(["year", "domain_value"])["n"].max().map(shown_n))
    wide = wide.reset_index().rename(columns={"year": "Year", "domain_value": "Group"})
    wide = wide.sort_values(["Year", "Group"], key=lambda s: s.map(order) if s.name == "Group" else s)
    return wide.fillna("—").reset_index(drop=True)


def differences_for_readers(differences: pd.DataFrame, kinds=("subgroup",)) -> pd.DataFrame:
    """Tested differences in words (the CSV keeps every column)."""
    rows = differences[differences["kind"].isin(kinds)]
    return pd.DataFrame({
        "Year": rows["year"], "Measure": rows["indicator"].map(SHORT_NAMES), "From": rows["from"], "To": rows["to"],
        "From (%)": rows["estimate_from"].map("{:.1f}".format), "To (%)": rows["estimate_to"].map("{:.1f}".format),
        "Difference (points)": rows["difference"].map("{:+.1f}".format), "SE": rows["se"].map("{:.2f}".format),
        "p-value": [p_value_text(p, missing=NOT_TESTED) for p in rows["p_value"]], "Verdict": rows.apply(verdict, axis=1),
    }).reset_index(drop=True)


def _nearest_ssocs(year: str) -> str:
    """'SSOCS has 2015-16 and 2017-18': the survey years either side of `year` (or the same year)."""
    if year in ssocs.YEARS:
        return f"SSOCS has {year} too, but counts differently"
    before = [y for y in ssocs.YEARS if start_year(y) < start_year(year)]
    after = [y for y in ssocs.YEARS if start_year(y) > start_year(year)]
    return "SSOCS has " + " and ".join(y for y in (before[-1:] + after[:1]))


def conclusions_markdown(local: pd.DataFrame, district: DistrictProfile) -> str:
    """What can and cannot be concluded, in the district's words (`local`: `local_figures`)."""
    own, short = local.iloc[0], district.short_name
    state = (f" {district.state_name}'s figures come from a {local.iloc[1]['Year']}, with no published margin of error."
             if len(local) > 1 else "")
    return "\n".join([
        "**Can:** how common police (sworn law enforcement, including SROs) were in the peer group of U.S. public "
        f"schools chosen to resemble {district.possessive} {own['Who'].removeprefix(short + ' ')}, year by year, and "
        "whether that differed from all schools of the same level (the tested differences above).",
        "",
        "**Cannot:**",
        f"- *Different measures.* {short} counts SROs; from 2015-16 SSOCS asks about sworn law enforcement "
        "*including* SROs. Only 2005-06 separates SROs.",
        f"- *Different years.* {district.possessive} figure is for {own['Year']}; {_nearest_ssocs(own['Year'])}.{state}",
        f"- *A census against a sample.* {district.possessive} figure counts all its "
        f"{own['Who'].removeprefix(short + ' ')}, with no sampling error; with so few schools, no test can show "
        f"{short} is \"above\" or \"below\" the nation.",
        "- *Nothing here measures effects.* These are counts of where officers are, not of whether students are "
        "safer, or of arrests, referrals or discipline.",
    ])
