"""The pieces of the nces_comparisons report: SSOCS estimates beside published figures.

The estimates come from `ssocs.estimate_table`; the published figures from data/published
(`load_published`), each row keeping its figure_id and source. Functions here only arrange,
format and draw them, and write the plain-words sentences the report shows.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sro_research.readers import ssocs
from sro_research.readers.published import figure, load_published
from sro_research.privacy.suppression import DEFAULT_THRESHOLD

TREND_INDICATORS = {
    "any_security_staff": "Any security staff",
    "sworn_law_enforcement": "Sworn law enforcement (incl. SROs)",
}
SHORT_NAMES = {
    "any_security_staff": "Any security staff",
    "security_full_time": "Full-time security staff",
    "security_part_time_only": "Part-time only",
    "sworn_law_enforcement": "Sworn law enforcement (incl. SROs)",
    "any_sro": "Any SRO",
}
# Published national percentages that sit on the trend (figure ids in data/published).
PUBLISHED_TREND = [
    # (figure_id, dataset, indicator, what it is)
    ("G52", "ssocs_published_tables", "any_security_staff", "SSOCS 2005-06, as reported in the press"),
    ("G03", "ssocs_published_tables", "any_security_staff", "SSOCS 2009-10 published table (no microdata here)"),
    ("F37", "nces_frss_2013_14", "any_security_staff", "FRSS 2013-14 published (no microdata exists)"),
    ("G51", "ssocs_published_tables", "any_security_staff", "SSOCS 2015-16, as reported in the press"),
    ("G50", "ssocs_published_tables", "sworn_law_enforcement", "SSOCS 2005-06, as reported in the press"),
    ("G49", "ssocs_published_tables", "sworn_law_enforcement", "SSOCS 2015-16, as reported in the press"),
]


def microdata_status(ssocs_dir=None, years=None) -> dict:
    """Which of the requested SSOCS years can be estimated here, and which files are missing."""
    wanted = ssocs.check_years(years)
    folder = ssocs.find_ssocs_dir(ssocs_dir)
    have = set(ssocs.available_years(folder))
    missing = [y for y in wanted if y not in have]
    return {
        "folder": folder,
        "years": [y for y in wanted if y in have],
        "missing": missing,
        "missing_files": {y: ssocs.LAYOUTS[y].files[0] for y in missing},
    }


def missing_files_message(status: dict) -> str:
    """Plain words: which files would enable the microdata estimates, and where NCES publishes them."""
    files = ", ".join(f"{name} ({year})" for year, name in status["missing_files"].items())
    where = f"the folder {status['folder']}" if status["folder"] else f"any folder (no ssocs_dir parameter and no ${ssocs.SSOCS_DIR_ENV})"
    return (
        f"The NCES SSOCS public-use files {files} were not found in {where}. "
        f"NCES publishes them at {ssocs.NCES_DATA_URL}. Put them in one folder and set ${ssocs.SSOCS_DIR_ENV} "
        f"(or the ssocs_dir parameter) to estimate those years with standard errors."
    )


def start_year(school_year: str) -> int:
    return int(str(school_year)[:4])


def published_trend_points() -> pd.DataFrame:
    """The published national percentages for the trend, with figure id and source."""
    rows = []
    for figure_id, dataset, indicator, kind in PUBLISHED_TREND:
        # Each row keeps its figure_id and source_id, so the report's table cites them.
        table = load_published(dataset)
        row = figure(table, figure_id=figure_id)
        rows.append(
            {
                "year": row["school_year"], "indicator": indicator, "estimate": float(row["value"]),
                "printed": row["value_text"], "kind": kind, "figure_id": figure_id, "source_id": row["source_id"],
                "has_microdata": row["school_year"] in ssocs.YEARS,
            }
        )
    return pd.DataFrame(rows)


def published_points_table(points: pd.DataFrame) -> pd.DataFrame:
    """The published trend points as a reader sees them."""
    shown = points.assign(Measure=points["indicator"].map(SHORT_NAMES))
    shown = shown[["year", "Measure", "printed", "kind", "figure_id", "source_id"]]
    return shown.rename(columns={"year": "Year", "printed": "As published", "kind": "What it is", "figure_id": "Figure", "source_id": "Source"})


def trend_figure(estimates: pd.DataFrame | None, published: pd.DataFrame):
    """Percent of public schools with security staff / sworn law enforcement, by school year.

    SSOCS microdata estimates are filled circles with 95% CIs; published points without
    microdata (2009-10 SSOCS table, 2013-14 FRSS) are hollow; when there are no microdata
    estimates, every published point is drawn (hollow) instead.
    """
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8.5, 4.8))
    colours = {"any_security_staff": "#1f5f8b", "sworn_law_enforcement": "#b5521b"}
    years_drawn: set[str] = set()
    for indicator, label in TREND_INDICATORS.items():
        colour = colours[indicator]
        if estimates is not None and not estimates.empty:
            rows = estimates[(estimates["indicator"] == indicator) & (estimates["domain_variable"] == "all")]
            rows = rows.sort_values("year")
            if not rows.empty:
                x = rows["year"].map(start_year)
                err = np.vstack([rows["estimate"] - rows["ci_low"], rows["ci_high"] - rows["estimate"]])
                # Dotted joins: the years between surveys have no estimate.
                ax.errorbar(x, rows["estimate"], yerr=err, fmt="o:", color=colour, capsize=4, linewidth=1,
                            label=f"{label}: SSOCS microdata, 95% CI")
                years_drawn.update(rows["year"])
        points = published[published["indicator"] == indicator]
        if estimates is not None and not estimates.empty:
            points = points[~points["has_microdata"]]
        for kind, group in points.groupby("kind", sort=False):
            marker = "D" if "FRSS" in kind else "s"
            ax.plot(group["year"].map(start_year), group["estimate"], linestyle="none", marker=marker,
                    markersize=9, markerfacecolor="white", markeredgewidth=2, color=colour,
                    label=f"{label}: {kind}")
            years_drawn.update(group["year"])
    ticks = sorted(years_drawn, key=start_year)
    ax.set_xticks([start_year(y) for y in ticks], ticks)
    ax.set_ylim(0, 100)
    ax.set_ylabel("Percent of public schools")
    ax.set_xlabel("School year")
    ax.grid(axis="y", alpha=0.3)
    ax.legend(fontsize=8, loc="upper left", frameon=False)
    ax.set_title("U.S. public schools with security staff or sworn law enforcement at least once a week", fontsize=10)
    fig.tight_layout()
    return fig


def format_estimate(row: pd.Series) -> str:
    """NCES style: "56.5 (1.29)", "5.0 ! (2.48)", and "‡" where reporting standards are not met."""
    if row["flag"] == "‡" or not np.isfinite(row["estimate"]):
        return "‡"
    caution = " !" if row["flag"] == "!" else ""
    return f"{row['estimate']:.1f}{caution} ({row['se']:.2f})"


def shown_n(n) -> str:
    """Sample sizes under the project's suppression threshold are not shown."""
    return f"{int(n):,}" if n >= DEFAULT_THRESHOLD else f"fewer than {DEFAULT_THRESHOLD}"


def downloadable_estimates(estimates: pd.DataFrame) -> pd.DataFrame:
    """Every estimate for the report's CSV, with sample sizes under the suppression threshold left
    blank (as `shown_n` does on the page)."""
    out = estimates.copy()
    out["n"] = out["n"].astype("Int64").where(out["n"] >= DEFAULT_THRESHOLD)
    return out


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
    n = rows.groupby(["year", "domain_value"])["n"].max().map(shown_n)
    wide.insert(0, "Schools in sample", n)
    wide = wide.reset_index().rename(columns={"year": "Year", "domain_value": "Group"})
    wide = wide.sort_values(["Year", "Group"], key=lambda s: s.map(order) if s.name == "Group" else s)
    return wide.fillna("—").reset_index(drop=True)


def local_figures() -> pd.DataFrame:
    """MPS and Minnesota SRO figures, as published, with figure ids."""
    mps = load_published("mps_program_page")
    mn = load_published("minnesota_sro")
    sites = figure(mps, figure_id="A09")
    rows = [
        {
            "Who": "MPS comprehensive high schools",
            "Measure": "had an SRO",
            "Year": sites["school_year"],
            "Estimate (%)": 100.0,
            "95% CI": f"none: all {int(sites['value'])} schools counted, not a sample",
            "As published": f"{sites['value_text']} of {sites['value_text']} comprehensive high schools",
            "Source": f"{sites['source_id']} ({sites['figure_id']})",
            "Short": f"MPS comprehensive high schools {sites['school_year']}",
        }
    ]
    for figure_id, who, short in (
        ("E01", "Minnesota public schools", "Minnesota schools 2013"),
        ("E05", "Minnesota high schools", "Minnesota high schools 2013"),
        ("E06", "Minnesota high schools, grades 9-12 only", "MN grades 9-12 high schools 2013 (unverified)"),
    ):
        row = figure(mn, figure_id=figure_id)
        flags = f" [{row['flags']}]" if isinstance(row["flags"], str) and row["flags"] else ""
        rows.append(
            {
                "Who": who, "Measure": "served by / had an SRO", "Year": "2013 survey (published 2014)",
                "Estimate (%)": float(row["value"]), "95% CI": "not published",
                "As published": f"{row['value_text']}{flags}", "Source": f"{row['source_id']} ({figure_id})",
                "Short": short,
            }
        )
    return pd.DataFrame(rows)


def peer_table(estimates: pd.DataFrame) -> pd.DataFrame:
    """National estimates for the peer group and for all high schools, with 95% CIs."""
    wanted = ["any_sro", "sworn_law_enforcement", "any_security_staff"]
    rows = estimates[
        estimates["indicator"].isin(wanted)
        & ((estimates["domain_variable"] == "peer_group") | ((estimates["domain_variable"] == "level") & (estimates["domain_value"] == "High school")))
    ].copy()
    if rows.empty:
        return pd.DataFrame()
    rows["Who"] = np.where(rows["domain_variable"] == "peer_group", "U.S. schools like MPS high schools: " + rows["domain_value"], "All U.S. public high schools")
    rows["Measure"] = rows["indicator"].map(SHORT_NAMES)
    rows["Estimate (%)"] = rows.apply(lambda r: "‡" if r["flag"] == "‡" else f"{r['estimate']:.1f}{' !' if r['flag'] == '!' else ''}", axis=1)
    rows["95% CI"] = rows.apply(lambda r: "‡" if r["flag"] == "‡" else f"{r['ci_low']:.1f} to {r['ci_high']:.1f}", axis=1)
    rows["SE"] = rows.apply(lambda r: "‡" if r["flag"] == "‡" else f"{r['se']:.2f}", axis=1)
    rows["Schools in sample"] = rows["n"].map(shown_n)
    rows["order"] = rows["indicator"].map({k: i for i, k in enumerate(wanted)})
    rows = rows.sort_values(["order", "year", "domain_variable"], ascending=[True, True, False])
    return rows[["Who", "Measure", "year", "Estimate (%)", "SE", "95% CI", "Schools in sample"]].rename(columns={"year": "Year"}).reset_index(drop=True)


def peer_figure(estimates: pd.DataFrame | None, local: pd.DataFrame):
    """Dot plot: MPS and Minnesota (published, no CI) against the national peer group (95% CI)."""
    import matplotlib.pyplot as plt

    short = {"any_sro": "any SRO", "sworn_law_enforcement": "sworn law enforcement"}
    labels, values, lows, highs, styles = [], [], [], [], []
    if estimates is not None and not estimates.empty:
        peer = estimates[(estimates["domain_variable"] == "peer_group") & estimates["indicator"].isin(["any_sro", "sworn_law_enforcement"])]
        for _, r in peer.sort_values(["year", "indicator"]).iterrows():
            if r["flag"] == "‡":
                continue
            caution = " (! interpret with caution)" if r["flag"] == "!" else ""
            labels.append(f"U.S. peer group {r['year']}: {short[r['indicator']]}{caution}")
            values.append(r["estimate"])
            lows.append(r["ci_low"])
            highs.append(r["ci_high"])
            styles.append("national")
    for _, r in local.iterrows():
        labels.append(f"{r['Short']}: SRO")
        values.append(r["Estimate (%)"])
        lows.append(np.nan)
        highs.append(np.nan)
        styles.append("local")
    fig, ax = plt.subplots(figsize=(8.5, 0.4 * len(labels) + 1.4))
    y = np.arange(len(labels))[::-1]
    for yi, v, lo, hi, style in zip(y, values, lows, highs, styles):
        if style == "national":
            ax.errorbar(v, yi, xerr=[[v - lo], [hi - v]], fmt="o", color="#1f5f8b", capsize=4)
        else:
            ax.plot(v, yi, marker="D", markersize=8, markerfacecolor="white", markeredgewidth=2, color="#b5521b", linestyle="none")
    ax.set_yticks(y, labels, fontsize=8)
    ax.set_xlim(0, 105)
    ax.set_xlabel("Percent of schools\nfilled: national estimate with 95% CI; hollow: published figure, no CI", fontsize=9)
    ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    return fig


def peer_sentences(estimates: pd.DataFrame) -> str:
    """What the peer comparison shows, in plain words, from the numbers themselves."""
    peer = estimates[(estimates["domain_variable"] == "peer_group") & (estimates["flag"] != "‡")]
    lines = []
    for indicator, words in (("sworn_law_enforcement", "had sworn law enforcement officers (including SROs) at least once a week"), ("any_sro", "had a School Resource Officer")):
        for _, r in peer[peer["indicator"] == indicator].sort_values("year").iterrows():
            caution = "interpret with caution: the standard error is 30% to 50% of the estimate; " if r["flag"] == "!" else ""
            lines.append(
                f"- {r['year']}: an estimated **{r['estimate']:.0f}%** ({caution}95% CI {r['ci_low']:.0f}% to {r['ci_high']:.0f}%) "
                f"of U.S. public schools like MPS high schools ({r['domain_value']}; {shown_n(r['n'])} sampled schools) {words}."
            )
            lines.append("  " + _against_all_high_schools(estimates, r))
    certain = peer[(peer["estimate"] >= 100) & (peer["se"] == 0)]
    if not certain.empty:
        lines.append(
            f"- Where an estimate is 100% with a standard error of 0 ({', '.join(sorted(set(certain['year'])))}), every "
            "sampled school in the group said yes; the jackknife then has no spread to measure, and the true share "
            "may still be a little below 100%."
        )
    return "\n".join(lines)


def _against_all_high_schools(estimates: pd.DataFrame, peer_row: pd.Series) -> str:
    """Is the peer-group estimate above all U.S. public high schools' in the same year? (CIs overlap or not.)"""
    all_hs = estimates[(estimates["year"] == peer_row["year"]) & (estimates["indicator"] == peer_row["indicator"])
                       & (estimates["domain_variable"] == "level") & (estimates["domain_value"] == "High school")]
    if all_hs.empty:
        return ""
    other = all_hs.iloc[0]
    if peer_row["ci_low"] > other["ci_high"]:
        verdict = "clearly higher than"
    elif peer_row["ci_high"] < other["ci_low"]:
        verdict = "clearly lower than"
    else:
        verdict = "not clearly different from"
    return (f"That is {verdict} the {other['estimate']:.0f}% (95% CI {other['ci_low']:.0f}% to {other['ci_high']:.0f}%) "
            "of all U.S. public high schools that year (judged by whether the two intervals overlap).")


def trend_sentences(estimates: pd.DataFrame) -> str:
    """First and last SSOCS estimate of each trend indicator, in plain words."""
    lines = []
    for indicator, label in TREND_INDICATORS.items():
        rows = estimates[(estimates["indicator"] == indicator) & (estimates["domain_variable"] == "all")].sort_values("year")
        if len(rows) < 2:
            continue
        first, last = rows.iloc[0], rows.iloc[-1]
        lines.append(
            f"- {label}: {first['estimate']:.1f}% of public schools in {first['year']} "
            f"(95% CI {first['ci_low']:.1f} to {first['ci_high']:.1f}) and {last['estimate']:.1f}% in {last['year']} "
            f"(95% CI {last['ci_low']:.1f} to {last['ci_high']:.1f})."
        )
    return "\n".join(lines)


DIGEST_INDICATORS = {
    "security_staff_full_time_pct": "security_full_time",
    "security_staff_part_time_only_pct": "security_part_time_only",
}


def digest_check(estimates: pd.DataFrame) -> pd.DataFrame:
    """Our 2015-16 estimates beside NCES Digest Table 233.70a, cell by cell, to its printed decimals."""
    digest = load_published("nces_digest_233_70a")
    digest = digest[(digest["school_year"] == "2015-16") & digest["value"].notna()]
    ours = estimates[estimates["year"] == "2015-16"]
    if ours.empty:
        return pd.DataFrame()
    rows = []
    for _, row in digest.iterrows():
        hit = ours[(ours["indicator"] == DIGEST_INDICATORS[row["measure"]]) & (ours["domain_value"] == row["group"])
                   & ours["domain_variable"].isin(["all", "level", "level_grouped", "enrollment_size"])]
        if hit.empty:
            continue
        got = hit.iloc[0]
        same = round(got["estimate"], 1) == row["value"] and round(got["se"], 2) == row["se"]
        rows.append({
            "Group": row["group"], "Measure": SHORT_NAMES[DIGEST_INDICATORS[row["measure"]]],
            "Published (SE)": f"{row['value']:.1f} ({row['se']:.2f})",
            "This report (SE)": f"{got['estimate']:.1f} ({got['se']:.2f})",
            "Same to the printed decimal": "yes" if same else "NO",
            "Figure": row["figure_id"],
        })
    return pd.DataFrame(rows)


def published_high_school_sro() -> pd.DataFrame:
    """NCES's published counts of public high schools with an SRO, and the percent they imply.

    The percent is computed here from the two published counts (each rounded to the nearest 100
    by NCES), so it carries that rounding; NCES published no SE with these counts.
    """
    table = load_published("ssocs_published_tables")
    table = table[table["group"] == "High school"]
    sro = table[table["measure"] == "sro_schools"]
    # Counts of high schools from the same table as the SRO counts (2009-10 also has another table).
    schools = table[(table["measure"] == "public_schools") & table["source_id"].isin(sro["source_id"])]
    sro, schools = sro.set_index("school_year"), schools.set_index("school_year")
    if sro.index.duplicated().any() or schools.index.duplicated().any():
        raise ValueError("ssocs_published_tables: more than one high-school SRO count for a year")
    years = [y for y in sro.index if y in schools.index]
    out = pd.DataFrame(
        {
            "Year": years,
            "High schools with an SRO": [sro.loc[y, "value_text"] for y in years],
            "Public high schools": [schools.loc[y, "value_text"] for y in years],
            "Percent (computed)": [round(100 * sro.loc[y, "value"] / schools.loc[y, "value"], 1) for y in years],
            "Figures": [f"{sro.loc[y, 'figure_id']}, {schools.loc[y, 'figure_id']}" for y in years],
            "Source": [sro.loc[y, "source_id"] for y in years],
        }
    )
    return out.sort_values("Year", key=lambda s: s.map(start_year)).reset_index(drop=True)
