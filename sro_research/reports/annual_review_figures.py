"""The annual_review's charts and the trend table behind them, readable on a phone.

Panels are stacked in one column, each measure and source in its own panel with its own axis (no line
joins two sources or two measures), and no text is smaller than 9 CSS pixels when the image is shrunk to
a 390-pixel phone screen. The page's watermark comes from reporting.show_figure alone; a published
series is drawn in a figure of its own, so it is never stamped as synthetic.
"""

from __future__ import annotations

import math
import textwrap

import matplotlib.pyplot as plt
import pandas as pd

from sro_research.analysis import police_contacts as pc
from sro_research.analysis.crdc_breakdowns import Breakdowns
from sro_research.readers.crdc import MEASURE_LABELS
from sro_research.reports.annual_review_format import BLACK, CRDC_MEASURES, OUTCOME_LABELS, RACE_LABELS, with_ci

WIDTH = 5.0  # inches: with FONT, text stays at least 9 CSS px when the image is shown 390 px wide
FONT = 10.5  # points; 10.5 pt on a 5-inch image shown 390 px wide is about 11 px
PANEL_HEIGHT = 2.3
PUBLISHED_SOURCE = "Published (same point of each year)"


def _wrap(text: str, width: int = 48) -> str:
    return "\n".join(textwrap.wrap(text, width))


def _style(ax, title: str) -> None:
    ax.set_title(_wrap(title), fontsize=FONT, loc="left")
    ax.tick_params(labelsize=FONT)
    ax.xaxis.label.set_size(FONT)
    ax.yaxis.label.set_size(FONT)


def plot_race_rates(measures: dict[str, pd.DataFrame], year: str):
    """Dot-and-interval chart, per 100 enrolled by race, one stacked panel per outcome; suppressed rows left out.
    Titles sit on the panels (the page's watermark takes the figure's own title)."""
    fig, axes = plt.subplots(len(measures), 1, figsize=(WIDTH, PANEL_HEIGHT * len(measures)), squeeze=False)
    for ax, (label, frame) in zip(axes[:, 0], measures.items()):
        shown = frame[frame["shown"] & frame["risk"].notna()]
        names = [_wrap(RACE_LABELS[r], 18) for r in shown["race"]]
        ax.errorbar(shown["risk"], names, xerr=[shown["risk"] - shown["risk_low"], shown["risk_high"] - shown["risk"]],
                    fmt="o", capsize=3)
        _style(ax, f"{label}, {year}: involvements per 100 enrolled students")
        ax.set_xlabel("per 100 students (95% CI)")
        ax.set_xlim(left=0)
    fig.tight_layout()
    return fig


def chart_description(measures: dict[str, pd.DataFrame], title: str) -> str:
    parts = []
    for label, frame in measures.items():
        shown = frame[frame["shown"] & frame["risk"].notna()]
        values = ", ".join(f"{RACE_LABELS[r]} {v:.1f}" for r, v in zip(shown["race"], shown["risk"]))
        parts.append(f"{label}: {values or 'every group suppressed'}")
    return f"{title}. Per 100 students: " + "; ".join(parts) + "."


def _trend_row(year: str, source: str, measure: str, row, shown: bool) -> dict:
    keep = shown and pd.notna(row["risk"])
    return {"School year": year, "Source": source, "Measure": measure, "Value (95% CI)": with_ci(row, "risk", shown),
            "value": row["risk"] if keep else math.nan, "low": row["risk_low"] if keep else math.nan,
            "high": row["risk_high"] if keep else math.nan}


def trend_table(published_series: pd.DataFrame, export_years: dict[str, pc.YearTables], export_synthetic: bool,
                crdc_years: dict[str, dict[tuple[str, str], Breakdowns]], crdc_synthetic: dict[str, bool],
                threshold: int) -> pd.DataFrame:
    """Black students' measures by year, one row per year, source and measure (comparable within one only)."""
    rows = [{"School year": r.school_year, "Source": PUBLISHED_SOURCE, "Measure": "Black students suspended at least once (%)",
             "Value (95% CI)": f"{r.value:.1f}", "value": r.value, "low": math.nan, "high": math.nan}
            for r in published_series.itertuples()]
    source = "Incident export" + (" (SYNTHETIC)" if export_synthetic else "")
    for year, tables in export_years.items():
        for outcome in ("suspension", "police"):
            black = pc.race_measures(tables, outcome, threshold).set_index("race").loc[BLACK]
            rows.append(_trend_row(year, source, f"Black students: {OUTCOME_LABELS[outcome].lower()} involvements per 100",
                                   black, bool(black["shown"])))
    for year, results in crdc_years.items():
        for measure in CRDC_MEASURES:
            black = results[("district", measure)].measures["race"].set_index("group").loc[BLACK]
            rows.append(_trend_row(year, "CRDC" + (" (SYNTHETIC)" if crdc_synthetic[year] else ""),
                                   f"Black students: {MEASURE_LABELS[measure].lower()}, per 100", black, bool(black["shown"])))
    columns = ["School year", "Source", "Measure", "Value (95% CI)", "value", "low", "high"]
    return pd.DataFrame(rows, columns=columns).sort_values(["Source", "Measure", "School year"], kind="stable").reset_index(drop=True)


def plot_trend(trend: pd.DataFrame, published: bool):
    """The published series (`published=True`) or every other source and measure, one stacked panel each."""
    chosen = trend[(trend["Source"] == PUBLISHED_SOURCE) == published]
    panels = list(chosen.groupby(["Source", "Measure"], sort=False))
    if not panels:
        return None
    fig, axes = plt.subplots(len(panels), 1, figsize=(WIDTH, PANEL_HEIGHT * len(panels)), squeeze=False)
    for ax, ((source, measure), frame) in zip(axes[:, 0], panels):
        frame = frame.sort_values("School year")
        years = list(frame["School year"])
        shown = frame.dropna(subset=["value"])
        x = [years.index(y) for y in shown["School year"]]
        if shown["low"].notna().any():
            ax.errorbar(x, shown["value"], yerr=[shown["value"] - shown["low"], shown["high"] - shown["value"]],
                        fmt="o-", capsize=3)
        else:
            ax.plot(x, shown["value"], marker="o")
        ax.set_xticks(range(len(years)), years)
        ax.set_xlim(-0.5, len(years) - 0.5)
        ax.set_ylim(bottom=0)
        _style(ax, f"{measure} [{source}]")
    fig.tight_layout()
    return fig


def trend_description(trend: pd.DataFrame, published: bool) -> str:
    chosen = trend[(trend["Source"] == PUBLISHED_SOURCE) == published].dropna(subset=["value"])
    return "Trend, one panel per source and measure. " + "; ".join(
        f"{r['Measure']} [{r['Source']}] {r['School year']}: {r['value']:.1f}" for _, r in chosen.iterrows()) + "."
