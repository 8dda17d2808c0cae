"""How the claims ledger shows itself: reader tables (words for column names, status as a word
with a colour class, clickable sources), the national-context chart, and the "Since 2017" list."""

from __future__ import annotations

import math
import textwrap

import pandas as pd

from sro_research.district import DistrictProfile
from sro_research.readers.published import Figures, citation
from sro_research.reports.claim_checks import fmt

# The ledger's columns (the CSV's field names, stable for scripts that read claims.csv) and the words
# a reader sees for each, status second.
READER_COLUMNS = {
    "claim_id": "Claim", "status": "Status", "claim": "What the page claims (our words)", "page_says": "The page prints",
    "checked_value": "What the check computes or finds", "reason": "Why", "source": "Sources",
}


def reader_ledger(ledger: pd.DataFrame) -> pd.DataFrame:
    """The ledger's reader columns; the page shows them in words (attrs["labels"]), the CSV by name."""
    table = ledger[list(READER_COLUMNS)].copy()
    table.attrs["labels"] = dict(READER_COLUMNS)
    return table


PRODUCT_LABELS = {
    "percent": "percent with an SRO, as printed on the page (%)",
    "percent_se": "standard error of that percent (estimated: NCES printed none)",
    "responding": "schools that answered the survey (sample times response rate)",
    "design_effect": "design effect assumed (that of the SSOCS estimate of the same measure)",
    "claimed_schools": "schools, as printed on the page",
    "weighted_total": "weighted number of public schools",
    "weighted_total_se": "standard error of that number",
    "schools_at_percent": "percent x weighted number",
    "lowest_plausible": "smallest count: percent rounded down, less 95% of the sampling error",
    "highest_plausible": "largest count: percent rounded up, plus 95% of the sampling error",
    "lowest_read_as_claimed": "smallest count the page's wording allows",
    "implied_percent": "percent the page's count would be (%)",
    "status": "status",
}


def product_table(check: dict) -> pd.DataFrame:
    """The product check's numbers as a two-column table a reader can follow line by line."""
    rows = []
    for key, label in PRODUCT_LABELS.items():
        value = check[key]
        if isinstance(value, str):
            shown = value
        elif math.isnan(value):
            shown = "not estimated (needs the SSOCS files)"
        else:
            shown = fmt(round(value)) if abs(value) >= 1000 else fmt(round(value, 2))
        rows.append({"Quantity": label, "Value": shown})
    return pd.DataFrame(rows)


def figures_table(f: Figures, ids: list[str]) -> pd.DataFrame:
    """The published figures a check reads: what, year, as printed, SE and source."""
    rows = []
    for i in ids:
        r = f.row(i)
        rows.append({"Figure": i, "What": f"{r['measure'].replace('_', ' ')} ({r['group']})", "Year": r["school_year"] or "—",
                     "As printed": r["value_text"], "Standard error": "none printed" if pd.isna(r["se"]) else fmt(r["se"]),
                     "Source": f.cite(r["source_id"])})
    return pd.DataFrame(rows)


def context_table(context: pd.DataFrame) -> pd.DataFrame:
    """`national_context` as a reader sees it."""
    return pd.DataFrame({
        "Year": context["year"], "Figure": context["label"], "Percent": context["percent"],
        "95% CI low": context["ci_low"], "95% CI high": context["ci_high"], "Source": context["source"],
    })


def since_table(f: Figures, dataset: str = "since_2017") -> pd.DataFrame:
    """What public sources report after 2017, one row per fact and source, oldest first."""
    rows = f.dataset(dataset)
    table = pd.DataFrame({
        "School year": rows["school_year"], "What the source reports": rows["note"].where(rows["note"] != "", rows["value_text"]),
        "As printed": rows["value_text"], "Source": [f.cite(s) for s in rows["source_id"]],
    })
    return table.reset_index(drop=True)


def sources_table(f: Figures) -> pd.DataFrame:
    """Every source, cited the one way the package cites (readers.published.citation)."""
    return pd.DataFrame({"Source id": f.sources.index, "Citation": [citation(r) for _, r in f.sources.iterrows()],
                         "Note": f.sources["note"].to_numpy()})


def plot_national_context(context: pd.DataFrame, district: DistrictProfile):
    """Dot plot of `national_context`: NCES figures (with 95% CI where one exists) and the page's
    claimed share drawn apart, as a red diamond with a dashed reference line.

    Narrow on purpose, labels above their points: shown 390 px wide the text stays above 10 px.
    """
    import matplotlib.pyplot as plt
    from matplotlib.transforms import blended_transform_factory

    fontsize, red = 11, "#b2182b"
    labels = ["\n".join(textwrap.wrap(f"{r.year}: {r.label}", 38)) for r in context.itertuples()]
    # Each row: its label (one or more lines) above its point; rows stacked from the top.
    heights = [0.75 + 0.38 * label.count("\n") for label in labels]
    tops = [sum(heights[i:]) for i in range(len(heights))]
    y = pd.Series([top - h + 0.25 for top, h in zip(tops, heights, strict=True)], index=context.index, dtype=float)
    fig, ax = plt.subplots(figsize=(4.2, 0.62 * sum(heights) + 1.7))
    claim, ci = context["is_claim"], context["ci_low"].notna() & ~context["is_claim"]
    plain = ~claim & ~ci
    ax.errorbar(context.loc[ci, "percent"], y[ci], fmt="o", color="black", capsize=3, label="SSOCS estimate, 95% CI",
                xerr=[context.loc[ci, "percent"] - context.loc[ci, "ci_low"], context.loc[ci, "ci_high"] - context.loc[ci, "percent"]])
    ax.plot(context.loc[plain, "percent"], y[plain], "s", color="#555555", label="NCES published, no SE")
    ax.plot(context.loc[claim, "percent"], y[claim], "D", color=red, markersize=9, label=f"{district.short_name} page (claimed)")
    for value in context.loc[claim, "percent"]:
        ax.axvline(value, color=red, linestyle="--", linewidth=1)
    left = blended_transform_factory(ax.transAxes, ax.transData)
    for r, label, position in zip(context.itertuples(), labels, y, strict=True):
        ax.text(0.01, position + 0.17, label, transform=left, fontsize=fontsize - 1, va="bottom",
                color=red if r.is_claim else "black", bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.5})
    ax.set_yticks([])
    ax.set_ylim(0, sum(heights) + 0.05)
    ax.set_xlim(0, min(100, 10 * math.ceil((context[["percent", "ci_high"]].max().max() + 5) / 10)))
    ax.set_xlabel("percent of U.S. public schools", fontsize=fontsize)
    ax.tick_params(axis="x", labelsize=fontsize)
    ax.set_title("\n".join(textwrap.wrap("The page's national SRO share (red) beside NCES figures", 34)),
                 fontsize=fontsize + 1, loc="left")
    ax.legend(loc="upper left", bbox_to_anchor=(-0.02, -0.09 - 0.2 / len(context)), frameon=False, fontsize=fontsize - 1)
    ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    return fig
