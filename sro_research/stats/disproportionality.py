"""Disproportionality measures for counts by group, each with a 95% confidence interval.

The measures are the ones used in school-discipline and juvenile-justice monitoring:

- risk: the share of a group with the outcome, per 100 (Wilson interval);
- risk ratio: one group's risk over a comparison group's (white students, or all other students),
  with the log-scale (Katz) interval: exp(log RR ± z·sqrt(1/a − 1/n₁ + 1/c − 1/n₂));
- risk difference: per 100, with the Wald interval;
- rate and rate ratio, for counts of EVENTS rather than of students (an incident export counts a
  student once per incident): exact Poisson interval for the rate, exp(log RR ± z·sqrt(1/a + 1/c))
  for the ratio;
- zero cells, one rule (Haldane–Anscombe): when a comparison has a zero count, 0.5 is added to each
  cell (each count, for event rates) before its ratio or difference interval is computed, so no
  interval has zero width and a ratio against a zero count is finite; two zero counts give no ratio;
- composition index: a group's share of those with the outcome against its share of enrollment;
- relative rate index (RRI, OJJDP's Disproportionate Minority Contact method): at each contact stage
  the rate is the count at that stage per 100 at the stage before (enrolled → referred → arrested),
  so each RRI measures only the disparity added at that stage.

Pure functions of counts: nothing here reads a file or hides small counts (reports do that).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy.stats import chi2, norm
from statsmodels.stats.proportion import proportion_confint

LEVEL = 0.95
PER = 100.0  # rates are per 100 students (or per 100 at the stage before)
HALDANE = 0.5  # added to each cell of a comparison with a zero cell (Haldane 1956; Anscombe 1956)


def z_score(level: float) -> float:
    return float(norm.ppf(0.5 + level / 2))


def risk(count: float, n: float, level: float = LEVEL) -> tuple[float, float, float]:
    """(risk, low, high) per 100: `count` of `n` with the outcome, Wilson interval. NaN if n is 0."""
    if n <= 0 or count < 0 or count > n:
        return (math.nan, math.nan, math.nan)
    low, high = proportion_confint(count, n, alpha=1 - level, method="wilson")
    return (PER * count / n, PER * low, PER * high)


def risk_ratio(a: float, n1: float, c: float, n2: float, level: float = LEVEL) -> tuple[float, float, float]:
    """(ratio, low, high) of risk a/n1 over c/n2, log-scale interval; a zero count takes the Haldane–Anscombe rule.

    NaN only when a group is empty, or both counts are 0 (no ratio to estimate).
    """
    if min(n1, n2) <= 0 or a < 0 or c < 0 or (a == 0 and c == 0):
        return (math.nan, math.nan, math.nan)
    if 0 in (a, c, n1 - a, n2 - c):  # 0.5 added to each cell of the 2x2 table
        a, c, n1, n2 = a + HALDANE, c + HALDANE, n1 + 2 * HALDANE, n2 + 2 * HALDANE
    ratio = (a / n1) / (c / n2)
    se = math.sqrt(1 / a - 1 / n1 + 1 / c - 1 / n2)
    z = z_score(level)
    return (ratio, ratio * math.exp(-z * se), ratio * math.exp(z * se))


def rate(count: float, exposure: float, level: float = LEVEL) -> tuple[float, float, float]:
    """(rate, low, high) per 100 of `exposure` for a count of events, exact (Garwood) Poisson interval."""
    if exposure <= 0 or count < 0:
        return (math.nan, math.nan, math.nan)
    alpha = 1 - level
    low = chi2.ppf(alpha / 2, 2 * count) / 2 if count > 0 else 0.0
    high = chi2.ppf(1 - alpha / 2, 2 * count + 2) / 2
    return (PER * count / exposure, PER * low / exposure, PER * high / exposure)


def rate_ratio(a: float, t1: float, c: float, t2: float, level: float = LEVEL) -> tuple[float, float, float]:
    """(ratio, low, high) of event rates a/t1 over c/t2, log-scale interval; a zero count takes the Haldane–Anscombe rule."""
    if min(t1, t2) <= 0 or a < 0 or c < 0 or (a == 0 and c == 0):
        return (math.nan, math.nan, math.nan)
    if 0 in (a, c):
        a, c = a + HALDANE, c + HALDANE
    ratio = (a / t1) / (c / t2)
    se = math.sqrt(1 / a + 1 / c)
    z = z_score(level)
    return (ratio, ratio * math.exp(-z * se), ratio * math.exp(z * se))


def rate_difference(a: float, t1: float, c: float, t2: float, level: float = LEVEL) -> tuple[float, float, float]:
    """(difference, low, high) per 100 of event rates a/t1 minus c/t2, Wald interval for Poisson counts."""
    if min(t1, t2) <= 0:
        return (math.nan, math.nan, math.nan)
    diff = a / t1 - c / t2
    if 0 in (a, c):
        a, c = a + HALDANE, c + HALDANE
    se = math.sqrt(a / t1**2 + c / t2**2)
    z = z_score(level)
    return (PER * diff, PER * (diff - z * se), PER * (diff + z * se))


def risk_difference(a: float, n1: float, c: float, n2: float, level: float = LEVEL) -> tuple[float, float, float]:
    """(difference, low, high) per 100 of a/n1 minus c/n2, Wald interval."""
    if min(n1, n2) <= 0:
        return (math.nan, math.nan, math.nan)
    diff = a / n1 - c / n2
    if 0 in (a, c, n1 - a, n2 - c):  # the variance from the Haldane–Anscombe table, never zero
        a, c, n1, n2 = a + HALDANE, c + HALDANE, n1 + 2 * HALDANE, n2 + 2 * HALDANE
    p1, p2 = a / n1, c / n2
    se = math.sqrt(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2)
    z = z_score(level)
    return (PER * diff, PER * (diff - z * se), PER * (diff + z * se))


def composition_index(group_count: float, total_count: float, group_enrolled: float, total_enrolled: float,
                      level: float = LEVEL) -> dict[str, float]:
    """A group's share (%) of those with the outcome (Wilson interval) beside its share of enrollment.

    `index` is the ratio of the two shares: 1 means the group has the outcome in proportion to its size.
    """
    share, low, high = risk(group_count, total_count, level)
    enrolled_share = PER * group_enrolled / total_enrolled if total_enrolled > 0 else math.nan
    index = share / enrolled_share if enrolled_share and not math.isnan(enrolled_share) else math.nan
    return {"outcome_share": share, "outcome_share_low": low, "outcome_share_high": high,
            "enrollment_share": enrolled_share, "composition_index": index}


def disproportionality(counts: pd.DataFrame, group: str, count: str, n: str, reference: str,
                       level: float = LEVEL, events: bool = False) -> pd.DataFrame:
    """Every measure for each group of `counts` (one row per group: outcome count and population).

    Risk ratios and differences are against `reference` (e.g. white students) and against all other
    students taken together; the composition index uses the groups' total as the whole. With
    `events=True` the counts are events (a student may count more than once): rates and rate ratios
    with Poisson intervals replace risks, risk ratios and risk differences.
    """
    first, ratio, difference = (rate, rate_ratio, rate_difference) if events else (risk, risk_ratio, risk_difference)
    if reference not in set(counts[group]):
        raise ValueError(f"reference group {reference!r} is not among the groups of column {group!r}")
    table = counts[[group, count, n]].copy()
    total_count, total_n = table[count].sum(), table[n].sum()
    ref = table.loc[table[group] == reference].iloc[0]
    rows = []
    for row in table.itertuples(index=False):
        g, a, n1 = getattr(row, group), getattr(row, count), getattr(row, n)
        others_a, others_n = total_count - a, total_n - n1
        out = {group: g, count: a, n: n1}
        out["risk"], out["risk_low"], out["risk_high"] = first(a, n1, level)
        if g == reference:
            out.update(rr_reference=math.nan, rr_reference_low=math.nan, rr_reference_high=math.nan,
                       rd_reference=math.nan, rd_reference_low=math.nan, rd_reference_high=math.nan)
        else:
            out["rr_reference"], out["rr_reference_low"], out["rr_reference_high"] = ratio(
                a, n1, ref[count], ref[n], level)
            out["rd_reference"], out["rd_reference_low"], out["rd_reference_high"] = difference(
                a, n1, ref[count], ref[n], level)
        out["rr_others"], out["rr_others_low"], out["rr_others_high"] = ratio(a, n1, others_a, others_n, level)
        out.update(composition_index(a, total_count, n1, total_n, level))
        rows.append(out)
    return pd.DataFrame(rows)


def relative_rate_index(stages: pd.DataFrame, group: str, stage_columns: list[str], reference: str,
                        level: float = LEVEL, events_at: tuple[str, ...] = ()) -> pd.DataFrame:
    """The RRI at each stage after the first, for each group (one row per group and stage).

    `stage_columns` are counts in contact order, e.g. ["enrolled", "referred", "arrested"]; the rate at
    a stage is its count per 100 at the stage before. The reference group's RRI is 1 by definition.
    Stages named in `events_at` count events, not people (e.g. incidents per 100 enrolled students):
    their rate and ratio take Poisson intervals.
    """
    if len(stage_columns) < 2:
        raise ValueError("the relative rate index needs at least two stages (a base and one contact)")
    if reference not in set(stages[group]):
        raise ValueError(f"reference group {reference!r} is not among the groups of column {group!r}")
    ref = stages.loc[stages[group] == reference].iloc[0]
    rows = []
    for row in stages.itertuples(index=False):
        g = getattr(row, group)
        for before, stage in zip(stage_columns, stage_columns[1:]):
            a, n1 = getattr(row, stage), getattr(row, before)
            first, ratio = (rate, rate_ratio) if stage in events_at else (risk, risk_ratio)
            value, low, high = first(a, n1, level)
            if g == reference:
                rri = (1.0, math.nan, math.nan) if a > 0 else (math.nan,) * 3
            else:
                rri = ratio(a, n1, ref[stage], ref[before], level)
            rows.append({group: g, "stage": stage, "base": before, "count": a, "base_count": n1,
                         "rate": value, "rate_low": low, "rate_high": high,
                         "rri": rri[0], "rri_low": rri[1], "rri_high": rri[2]})
    return pd.DataFrame(rows)


def significant(low: float, high: float, null: float = 1.0) -> bool:
    """Whether a 95% interval excludes the null value (1 for ratios, 0 for differences)."""
    return bool(np.isfinite(low) and np.isfinite(high) and (low > null or high < null))
