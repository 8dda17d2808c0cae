"""Charts of the nces_comparisons report. Each has a title, labels of at least 10 px when the page
is 390 px wide (figures are 6.5 in wide, text 12 pt: 12 * 390 / (72 * 6.5) = 10 px), and a
reference line where a claim is compared. Lines join only years measured the same way."""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd

from sro_research.district import DistrictProfile
from sro_research.analysis.ssocs_differences import MEASURE_BLOCKS
from sro_research.reports.nces_comparisons import SHORT_NAMES, TREND_INDICATORS, start_year
from sro_research.reports import nces_comparisons_peer as peer_words
from sro_research.stats.nces_standards import CAUTION_FLAG, SUPPRESS_FLAG

WIDTH_IN = 6.5
FONT_PT = 12
COLOURS = {"any_security_staff": "#1f5f8b", "sworn_law_enforcement": "#b5521b", "any_sro": "#2e7d32"}


def _axes(height: float, title: str):
    import matplotlib.pyplot as plt

    plt.rcParams.update({"font.size": FONT_PT})
    fig, ax = plt.subplots(figsize=(WIDTH_IN, height))
    # A figure title from the left edge, so a long title never widens the image past WIDTH_IN.
    fig.suptitle("\n".join(textwrap.wrap(title, 60)), fontsize=FONT_PT + 1, x=0.01, ha="left")
    return fig, ax


def _series(ax, rows: pd.DataFrame, indicator: str, label: str, colour: str, marker: str = "o") -> None:
    """Estimates with 95% CIs, one line per block of years measured the same way."""
    drawn = False
    for block in MEASURE_BLOCKS[indicator]:
        part = rows[rows["year"].isin(block) & (rows["flag"] != SUPPRESS_FLAG)].sort_values("year", key=lambda s: s.map(start_year))
        if part.empty:
            continue
        err = np.vstack([part["estimate"] - part["ci_low"], part["ci_high"] - part["estimate"]])
        ax.errorbar(part["year"].map(start_year), part["estimate"], yerr=err, fmt=f"{marker}-", color=colour, capsize=4,
                    linewidth=1.5, label=None if drawn else label)
        drawn = True


def _finish(ax, fig, years, ylabel: str) -> None:
    """A chart by school year: one tick per year drawn ('15-16'), 0-100 percent, light grid, legend below."""
    ticks = sorted(years, key=start_year)
    ax.set_xticks([start_year(y) for y in ticks], [y[2:] for y in ticks])
    ax.set_ylim(0, 100)
    ax.set_ylabel(ylabel)
    ax.set_xlabel("School year")
    ax.grid(axis="y", alpha=0.3)
    _legend(ax, fig)


def _legend(ax, fig) -> None:
    handles, labels = ax.get_legend_handles_labels()
    labels = ["\n".join(textwrap.wrap(label, 50)) for label in labels]  # keeps the image within WIDTH_IN
    ax.legend(handles, labels, fontsize=FONT_PT, loc="upper center", bbox_to_anchor=(0.5, -0.18), frameon=False, ncol=1)
    fig.tight_layout()


def trend_figure(estimates: pd.DataFrame | None, published: pd.DataFrame, cited: pd.Series, district: DistrictProfile):
    """All U.S. public schools: any security staff and sworn law enforcement, by school year.
    Filled points: SSOCS microdata with 95% CIs (no line across a change of item); hollow: published
    figures from years without microdata or from another survey (never joined); dashed: the figure the
    district cited (`cited`)."""
    fig, ax = _axes(5.4, "All U.S. public schools with security staff or sworn law enforcement at least weekly")
    years: set[str] = set()
    have = estimates is not None and not estimates.empty
    for indicator, label in TREND_INDICATORS.items():
        if have:
            rows = estimates[(estimates["indicator"] == indicator) & (estimates["domain_variable"] == "all")]
            _series(ax, rows, indicator, f"{label} (SSOCS, 95% CI)", COLOURS[indicator])
            years.update(rows["year"])
        points = published[published["indicator"] == indicator]
        points = points[~points["has_microdata"]] if have else points
        for kind, group in points.groupby("kind", sort=False):
            ax.plot(group["year"].map(start_year), group["estimate"], linestyle="none", marker="D" if "FRSS" in kind else "s",
                    markersize=9, markerfacecolor="white", markeredgewidth=2, color=COLOURS[indicator], label=f"{SHORT_NAMES[indicator]}: {kind}")
            years.update(group["year"])
    ax.axhline(float(cited["value"]), color="#555555", linestyle="--", linewidth=1.2,
               label=f"{district.possessive} cited national SRO figure: {cited['value_text']} ({cited['school_year']}, unverified)")
    _finish(ax, fig, years, "Percent of public schools")
    return fig


def high_school_figure(estimates: pd.DataFrame | None, published_sro: pd.DataFrame):
    """All U.S. public high schools: the SRO-only series (NCES's published counts; 2005-06 microdata)
    and sworn law enforcement (SSOCS microdata from 2015-16)."""
    fig, ax = _axes(5.0, "U.S. public high schools with an SRO or sworn law enforcement at least weekly")
    years = set(published_sro["Year"])
    x = published_sro["Year"].map(start_year)
    ax.plot(x, published_sro["Percent (computed)"], "s--", color=COLOURS["any_sro"], markerfacecolor="white", markeredgewidth=2,
            markersize=8, label="Any SRO: NCES published counts (percent computed, no SE)")
    if estimates is not None and not estimates.empty:
        for indicator in ("any_sro", "sworn_law_enforcement"):
            rows = estimates[(estimates["indicator"] == indicator) & (estimates["domain_variable"] == "level")
                             & (estimates["domain_value"] == "High school")]
            _series(ax, rows, indicator, f"{SHORT_NAMES[indicator]}: SSOCS microdata, 95% CI", COLOURS[indicator])
            years.update(rows["year"])
    _finish(ax, fig, years, "Percent of public high schools")
    return fig


def peer_figure(estimates: pd.DataFrame | None, local: pd.DataFrame, peer_group: dict | None, district: DistrictProfile):
    """The peer group and all schools of its level (95% CIs) beside the district and its state as published
    (`local`); the dashed line is the district's share, the figure the national estimates are compared with."""
    labels, rows = [], []
    if estimates is not None and not estimates.empty:
        compared = peer_words.comparison_rows(estimates, peer_group).index
        wanted = estimates[estimates["indicator"].isin(["any_sro", "sworn_law_enforcement"]) & (
            (estimates["domain_variable"] == "peer_group") | estimates.index.isin(compared))]
        for (year, indicator), group in wanted.sort_values(["year", "indicator"]).groupby(["year", "indicator"], sort=False):
            for _, r in group.sort_values("domain_variable").iterrows():
                if r["flag"] == SUPPRESS_FLAG:
                    continue
                who = "peer group" if r["domain_variable"] == "peer_group" else "all"
                caution = f" {CAUTION_FLAG}" if r["flag"] == CAUTION_FLAG else ""
                labels.append(f"{year[2:]} {'SRO' if indicator == 'any_sro' else 'police'}: {who}{caution}")
                rows.append(("peer" if who == "peer group" else "all", r["estimate"], r["ci_low"], r["ci_high"]))
    for _, r in local.iloc[1:].iterrows():
        labels.append(r["Short"])
        rows.append(("local", r["Estimate (%)"], np.nan, np.nan))
    fig, ax = _axes(0.42 * len(labels) + 2.2, f"Police at peer-group schools, nationally, and {district.possessive} 100%")
    y = np.arange(len(labels))[::-1]
    styles = {"peer": dict(fmt="o", color="#1f5f8b"), "all": dict(fmt="o", color="#9e9e9e")}
    for yi, (kind, v, lo, hi) in zip(y, rows, strict=True):
        if kind == "local":
            ax.plot(v, yi, marker="D", markersize=8, markerfacecolor="white", markeredgewidth=2, color="#b5521b", linestyle="none")
        else:
            ax.errorbar(v, yi, xerr=[[v - lo], [hi - v]], capsize=4, **styles[kind])
    own = local.iloc[0]
    counted = " ".join(own["As published"].split()[:3])  # "seven of seven", without the kind of school
    ax.axvline(own["Estimate (%)"], color="#b5521b", linestyle="--", linewidth=1.2)
    ax.text(own["Estimate (%)"] - 1, len(labels) - 0.4, f"{own['Short']}: {counted}",
            ha="right", va="bottom", fontsize=FONT_PT, color="#b5521b")
    ax.set_yticks(y, labels)
    ax.set_xlim(0, 105)
    ax.set_ylim(-0.7, len(labels) + 0.3)
    ax.set_xlabel(f"Percent of schools (bars: 95% CI)\npolice: sworn officers incl. SROs\nall: {peer_words.comparison_words(peer_group)}")
    ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    return fig
