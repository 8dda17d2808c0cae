"""The engagement report's charts: shares with Wilson 95% whiskers, drawn from the shown tables
(so a hidden share is never drawn). reporting.show_figure draws the one watermark of a reconstruction."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns

from sro_research.privacy.suppression import SUPPRESSED
from sro_research.readers.engagement import Survey
from sro_research.reports.engagement_findings import CI_HIGH, CI_LOW, PERCENT

WATERMARK = "ILLUSTRATIVE RECONSTRUCTION"


def watermark(survey: Survey) -> str | None:
    """The words that open a reconstruction's chart footer and alt text (show_figure draws the watermark)."""
    return WATERMARK if survey.is_reconstruction else None


def has_bars(table: pd.DataFrame) -> bool:
    """Whether a shown table has any share to draw (every one may be suppressed)."""
    return bool((table[PERCENT] != SUPPRESSED).any())


def plot_shares(table: pd.DataFrame, x: str, hue: str | None, title: str, ylabel: str, mark: str | None = None):
    """Bar chart of the `percent` column with Wilson 95% interval whiskers; suppressed rows are left
    out. With `mark` (e.g. WATERMARK) the footer says the respondents are synthetic."""
    data = table[table[PERCENT] != SUPPRESSED].copy()
    for column in (PERCENT, CI_LOW, CI_HIGH):
        data[column] = data[column].astype(float)
    order = list(dict.fromkeys(data[x]))
    hue_order = list(dict.fromkeys(data[hue])) if hue else None
    fig, ax = plt.subplots(figsize=(8, 4.5))
    palette = sns.color_palette("colorblind")
    sns.barplot(data=data, x=x, y=PERCENT, hue=hue, order=order, hue_order=hue_order, errorbar=None, ax=ax,
                palette=palette[: len(hue_order)] if hue else None, color=None if hue else palette[0])
    # seaborn draws one container of bars per hue level; whiskers come from our Wilson intervals.
    for container, level in zip(ax.containers, hue_order or [None], strict=False):
        for bar in container:
            if not bar.get_height() == bar.get_height():  # NaN: no bar for this combination
                continue
            position = int(round(bar.get_x() + bar.get_width() / 2))
            match = data[data[x] == order[position]]
            if hue:
                match = match[match[hue] == level]
            if match.empty:
                continue
            row = match.iloc[0]
            ax.errorbar(bar.get_x() + bar.get_width() / 2, row[PERCENT],
                        yerr=[[row[PERCENT] - row[CI_LOW]], [row[CI_HIGH] - row[PERCENT]]],
                        color="black", capsize=3, linewidth=1)
    ax.set_ylim(0, 100)
    ax.set_ylabel(ylabel, fontsize=11)
    ax.set_xlabel("")
    ax.set_title(title, fontsize=13)
    ax.tick_params(labelsize=11)
    if hue:
        ax.legend(title="", frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=10)
    footer = "Whiskers: Wilson 95% confidence intervals."
    if (table[PERCENT] == SUPPRESSED).any():
        footer += " Groups too small to show are left out."
    if mark:
        footer = "Illustrative reconstruction: synthetic respondents. " + footer
    fig.text(0.01, 0.01, footer, fontsize=10, ha="left", va="bottom", wrap=True)
    fig.tight_layout(rect=(0, 0.06, 1, 1))
    return fig


def chart_description(table: pd.DataFrame, x: str, hue: str | None, title: str, mark: str | None = None) -> str:
    """Alternative text for a plot_shares chart: every bar's percent and interval, in words."""
    shown = table[table[PERCENT] != SUPPRESSED]
    parts = []
    for _, row in shown.iterrows():
        name = f"{row[x]}, {row[hue]}" if hue else row[x]
        parts.append(f"{name}: {row[PERCENT]}% (95% CI {row[CI_LOW]} to {row[CI_HIGH]})")
    hidden = len(table) - len(shown)
    extra = f" {hidden} bar(s) too small to show are left out." if hidden else ""
    prefix = f"{mark.capitalize()}. " if mark else ""
    return f"{prefix}Bar chart, {title}. " + "; ".join(parts) + "." + extra
