"""The district_public_data report's charts, in the annual review's phone-readable style (stacked panels,
one measure per panel, no text under 9 CSS px on a phone). Titles name the district; the page's watermark
for synthetic data comes from reporting.show_figure alone."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

from sro_research.analysis.crdc_breakdowns import REFERENCES
from sro_research.readers.crdc import MEASURE_LABELS
from sro_research.reports.annual_review_figures import PANEL_HEIGHT, WIDTH, _style, _wrap
from sro_research.reports.annual_review_format import RACE_LABELS
from sro_research.reports.district_public_data import MEASURES, DistrictData

MARKERS = ("o", "s", "^")


def plot_race_rates(data: DistrictData):
    """Per 100 enrolled by race, district beside state and nation, one panel per measure (latest year)."""
    year, results = data.latest, data.results[data.latest]
    fig, axes = plt.subplots(len(MEASURES), 1, figsize=(WIDTH, 1.6 * PANEL_HEIGHT * len(MEASURES) + 0.6), squeeze=False)
    for ax, measure in zip(axes[:, 0], MEASURES):
        for k, (scope, name) in enumerate(data.scopes().items()):
            frame = results[(scope, measure)].measures["race"]
            shown = frame[frame["shown"] & frame["risk"].notna()]
            y = [list(RACE_LABELS).index(r) + (k - 1) * 0.25 for r in shown["group"]]
            ax.errorbar(shown["risk"], y, xerr=[shown["risk"] - shown["risk_low"], shown["risk_high"] - shown["risk"]],
                        fmt=MARKERS[k], capsize=2, label=_wrap(name, 16))
        races = [r for r in RACE_LABELS if r in set(results[("district", measure)].measures["race"]["group"])]
        ax.set_yticks([list(RACE_LABELS).index(r) for r in races], [_wrap(RACE_LABELS[r], 16) for r in races])
        ax.invert_yaxis()
        ax.set_xlim(left=0)
        ax.set_xlabel("students per 100 enrolled (95% CI)")
        _style(ax, f"{data.subject.short}, CRDC {year}: {MEASURE_LABELS[measure].lower()}, by race")
    _legend_on_top(fig, axes[0, 0])
    return fig


def _legend_on_top(fig, ax) -> None:
    """One legend for every panel, above them, so no panel's points hide under it."""
    handles, labels = ax.get_legend_handles_labels()
    fig.legend(handles, labels, loc="upper center", ncol=len(labels), fontsize=9, frameon=False)
    fig.tight_layout(rect=(0, 0, 1, 1 - 0.55 / fig.get_figheight()))


def race_description(data: DistrictData) -> str:
    parts = []
    for measure in MEASURES:
        frame = data.results[data.latest][("district", measure)].measures["race"]
        shown = frame[frame["shown"] & frame["risk"].notna()]
        values = ", ".join(f"{RACE_LABELS[r]} {v:.2f}" for r, v in zip(shown["group"], shown["risk"]))
        parts.append(f"{MEASURE_LABELS[measure]}: {values or 'every group suppressed'}")
    return (f"{data.subject.short}, CRDC {data.latest}, students per 100 enrolled by race (reference: "
            f"{REFERENCES['race']} students), beside the state and the nation. " + "; ".join(parts) + ".")


def plot_trend(trend: pd.DataFrame, data: DistrictData):
    """One panel per measure: each scope's students per 100 across the CRDC years present."""
    if trend.empty or trend["CRDC year"].nunique() < 2:
        return None
    measures = list(dict.fromkeys(trend["Measure"]))
    fig, axes = plt.subplots(len(measures), 1, figsize=(WIDTH, PANEL_HEIGHT * 1.2 * len(measures) + 0.6), squeeze=False)
    years = sorted(trend["CRDC year"].unique())
    for ax, measure in zip(axes[:, 0], measures):
        for k, (scope, frame) in enumerate(trend[trend["Measure"] == measure].groupby("Scope", sort=False)):
            shown = frame.dropna(subset=["value"])
            x = [years.index(y) + (k - 1) * 0.08 for y in shown["CRDC year"]]
            ax.errorbar(x, shown["value"], yerr=[shown["value"] - shown["low"], shown["high"] - shown["value"]],
                        fmt=MARKERS[k] + "-", capsize=2, label=_wrap(scope, 16))
        ax.set_xticks(range(len(years)), years)
        ax.set_ylim(bottom=0)
        ax.set_ylabel("per 100 students")
        _style(ax, f"{data.subject.short}: {measure.lower()}, per 100 students, by CRDC year")
    _legend_on_top(fig, axes[0, 0])
    return fig


def trend_description(trend: pd.DataFrame, data: DistrictData) -> str:
    shown = trend.dropna(subset=["value"])
    return (f"{data.subject.short} beside its state and the nation across CRDC years, students per 100. "
            + "; ".join(f"{r['Measure']}, {r['Scope']}, {r['CRDC year']}: {r['value']:.2f}" for _, r in shown.iterrows()) + ".")
