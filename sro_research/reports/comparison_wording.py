"""How reports word a comparison: NCES's verdict on a tested difference, two shares side by side,
and the multiple-comparison policy. Report wording, so it lives here, not in analysis/ (which
computes the differences); p-values are worded by `readable_tables.p_value_text`, the one formatter.
"""

from __future__ import annotations

import pandas as pd

from sro_research.analysis.engagement_stats import percent_as_published
from sro_research.stats.differences import ALPHA, holm_significant


def verdict(row: pd.Series | dict) -> str:
    """NCES's words for a tested difference: "significantly higher (p < .05)" or "not measurably different"."""
    if not row["comparable"]:
        return "not comparable (the item or its definition changed)"
    if row["significant"]:
        return f"significantly {'higher' if row['difference'] > 0 else 'lower'} (p < .05)"
    return "not measurably different"


def multiple_comparison_note(differences: pd.DataFrame) -> str:
    """The multiple-comparison policy, with the counts of this table."""
    tested = differences[differences["comparable"]]
    parts = []
    for kind, group in tested.groupby("kind", sort=False):
        p = group["p_value"].to_numpy()
        parts.append(f"{kind.replace('_', ' ')}: {int((p < ALPHA).sum())} of {len(p)} significant at .05, "
                     f"{int(holm_significant(p).sum())} after Holm's correction within that kind")
    return (
        "Each difference is tested on its own, two-sided at the .05 level, without adjustment for the number of "
        "comparisons (as NCES's SSOCS reports do); with many tests, about 1 in 20 true no-differences will read as "
        "significant by chance. For scale: " + "; ".join(parts) + "."
    )


def describe_difference(a_name: str, a: pd.Series, b_name: str, b: pd.Series) -> str:
    """A sentence comparing two shares (rows with count, n, ci_low, ci_high), saying whether the
    95% intervals overlap. Percents are whole, rounded half up, as the published checks round."""
    pa, pb = (percent_as_published(int(r["count"]), int(r["n"])) for r in (a, b))
    overlap = a["ci_low"] <= b["ci_high"] and b["ci_low"] <= a["ci_high"]
    gap = abs(pa - pb)
    if pa == pb:
        words = f"{a_name} and {b_name} agreed in the same share ({pa}%)"
    else:
        more, less = (a_name, b_name) if pa > pb else (b_name, a_name)
        words = f"{more} agreed more often than {less} ({max(pa, pb)}% vs {min(pa, pb)}%, {gap} points)"
    words = words[0].upper() + words[1:]
    if overlap:
        return words + "; the 95% intervals overlap, so this gap may be chance."
    return words + "; the 95% intervals do not overlap."
