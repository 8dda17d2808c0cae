"""Tested differences between SSOCS estimates: year to year, peer group against all schools of its level,
and subgroup contrasts, each with the variance its sampling calls for (see stats.differences).

Pure: takes the harmonized frame and the table from `ssocs_estimates.estimate_table`.
Multiple comparisons: every test is two-sided at .05 and unadjusted, as NCES's SSOCS reports test
each comparison; `reports.comparison_wording.multiple_comparison_note` says how many tests the table
holds and how many would stay significant under Holm's correction within each kind.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sro_research.analysis import ssocs_estimates as est
from sro_research.readers import ssocs
from sro_research.stats.differences import ALPHA, independent_difference, t_test
from sro_research.stats.nces_standards import SUPPRESS_FLAG

DIFFERENCE_COLUMNS = [
    "kind", "indicator", "domain_variable", "domain_value", "year", "from", "to",
    "estimate_from", "estimate_to", "difference", "se", "df", "t", "p_value", "significant", "comparable",
]
# Years within which an indicator is measured the same way (a new block = a changed item or definition).
MEASURE_BLOCKS = {
    "any_security_staff": (("2005-06", "2007-08"), ("2015-16", "2017-18", "2019-20")),  # item C0220, then staff counts
    "security_full_time": (ssocs.YEARS,),  # staff counts every year (Digest 233.70a's series)
    "security_part_time_only": (ssocs.YEARS,),
    "sworn_law_enforcement": (("2005-06",), ("2015-16", "2017-18", "2019-20")),  # SRO+sworn counts, then item C0610
    "any_sro": (("2005-06",),),
}
PEER_NAME = "Peer group"
PEER_KIND = "peer_vs_same_level"  # the peer group against all schools of its level (it is part of them)
# Subgroup contrasts a reader asks about: (domain_variable, from, to).
SUBGROUP_CONTRASTS = [
    ("locale", "Rural", "City"),
    ("minority", "Less than 5 percent", "50 percent or more"),
    ("percent_white", "More than 95 percent", "50 percent or less"),
    ("level", "Primary", "Middle"),
    ("level", "Primary", "High school"),
    ("level", "Middle", "High school"),
]


def _block(indicator: str, year: str) -> int:
    for number, years in enumerate(MEASURE_BLOCKS[indicator]):
        if year in years:
            return number
    return -1


def domain_comparable(domain_variable: str, year_a: str, year_b: str, peer: dict | None = None) -> bool:
    """Whether a domain means the same schools' kind in both years (same codes, same definition)."""
    a, b = ssocs.LAYOUTS[year_a], ssocs.LAYOUTS[year_b]
    same_locale = a.locale_labels == b.locale_labels
    same_level = a.level == b.level
    if domain_variable == "locale":
        return same_locale
    if domain_variable in ("level", "level_grouped"):
        return same_level
    if domain_variable == "peer_group":
        return same_locale and same_level and est.peer_label(year_a, peer) == est.peer_label(year_b, peer)
    return True


def comparable(indicator: str, domain_variable: str, year_a: str, year_b: str, peer: dict | None = None) -> bool:
    """Same item, same definition and same domain definition in both years."""
    block = _block(indicator, year_a)
    return block >= 0 and block == _block(indicator, year_b) and domain_comparable(domain_variable, year_a, year_b, peer)


def year_changes(estimates: pd.DataFrame, peer: dict | None = None) -> pd.DataFrame:
    """Each indicator and domain value between consecutive years, and first to last of each block
    of three or more comparable years (independent samples)."""
    usable = estimates[estimates["flag"] != SUPPRESS_FLAG]
    # The peer group's label names its definition, which differs by year: one series all the same.
    usable = usable.assign(domain_value=usable["domain_value"].where(usable["domain_variable"] != "peer_group", PEER_NAME),
                           order=usable["year"].map({y: i for i, y in enumerate(ssocs.YEARS)}),
                           block=[_block(i, y) for i, y in zip(usable["indicator"], usable["year"], strict=True)])
    keys = ["indicator", "domain_variable", "domain_value"]
    usable = usable.sort_values([*keys, "order"], kind="stable")[[*keys, "block", "year", "estimate", "se", "df"]]
    following = usable.groupby(keys, sort=False)[["year", "estimate", "se", "df"]].shift(-1)
    consecutive = pd.concat([usable, following.add_suffix("_to")], axis=1).dropna(subset=["year_to"])
    ends = usable.groupby([*keys, "block"], sort=False)
    sizes = ends.size()
    first, last = ends.head(1).set_index([*keys, "block"]), ends.tail(1).set_index([*keys, "block"])
    long_blocks = sizes[sizes >= 3].index
    spans = pd.concat([first.loc[long_blocks], last.loc[long_blocks].add_suffix("_to")], axis=1).reset_index()
    pairs = pd.concat([consecutive, spans], ignore_index=True)
    if pairs.empty:
        return pd.DataFrame(columns=DIFFERENCE_COLUMNS)
    difference, se, df, t, p = independent_difference(pairs["estimate"], pairs["se"], pairs["df"],
                                                      pairs["estimate_to"], pairs["se_to"], pairs["df_to"])
    keys_of = list(zip(pairs["indicator"], pairs["domain_variable"], pairs["year"], pairs["year_to"], strict=True))
    verdicts = {key: comparable(*key, peer) for key in set(keys_of)}
    same = np.array([verdicts[key] for key in keys_of], dtype=bool)
    return _frame("year_change", pairs["indicator"], pairs["domain_variable"], pairs["domain_value"], pairs["year"] + " to " + pairs["year_to"],
                  pairs["year"], pairs["year_to"], pairs["estimate"], pairs["estimate_to"], difference, se, df, t, p, same)


def _frame(kind, indicator, variable, value, year, year_from, year_to, est_from, est_to, difference, se, df, t, p, same) -> pd.DataFrame:
    same = np.asarray(same, dtype=bool)
    p = np.where(same, np.asarray(p, dtype=float), np.nan)  # no p-value is claimed across a changed item or definition
    tested = same & np.isfinite(p)
    significant = [bool(value < ALPHA) if ok else None for value, ok in zip(p, tested, strict=True)]
    return pd.DataFrame({
        "kind": kind, "indicator": np.asarray(indicator), "domain_variable": np.asarray(variable), "domain_value": np.asarray(value),
        "year": np.asarray(year), "from": np.asarray(year_from), "to": np.asarray(year_to),
        "estimate_from": np.asarray(est_from, dtype=float), "estimate_to": np.asarray(est_to, dtype=float),
        "difference": np.asarray(difference, dtype=float), "se": np.asarray(se, dtype=float), "df": np.broadcast_to(np.asarray(df, dtype=float), p.shape),
        "t": np.where(same, np.asarray(t, dtype=float), np.nan), "p_value": p, "significant": significant, "comparable": same,
    }, columns=DIFFERENCE_COLUMNS)


def _within_year(frame: pd.DataFrame, estimates: pd.DataFrame, year: str, peer, pairs) -> pd.DataFrame:
    """Differences between two domains of one year, taken inside each replicate (same sample)."""
    rows, design = est.year_design(frame, year, peer)
    measured = [i for i in ssocs.INDICATORS if year in ssocs.INDICATOR_YEARS[i]]
    # Every recorded domain, as estimate_table classifies them, so the design's classification is reused.
    variables = [v for v in ssocs.DOMAINS if rows[v].notna().any()]
    labels, thetas = design.replicate_estimates(measured, by_each=variables)
    column = {(r.variable, r.domain_variable, str(r.domain_value)): i for i, r in enumerate(labels.itertuples())}
    flags = estimates[estimates["year"] == year].set_index(["indicator", "domain_variable", "domain_value"])["flag"]
    df = float(design.domain_df(np.ones((len(rows), 1)))[0])
    found = []  # (kind, indicator, domain variable, from, to, column a, column b)
    for var_a, value_a, var_b, value_b, kind in pairs:
        for indicator in measured:
            a, b = column.get((indicator, var_a, value_a)), column.get((indicator, var_b, value_b))
            if a is None or b is None:
                continue
            if SUPPRESS_FLAG in (flags.get((indicator, var_a, value_a)), flags.get((indicator, var_b, value_b))):
                continue
            found.append((kind, indicator, var_b, value_a, value_b if var_b != "peer_group" else PEER_NAME, a, b))
    if not found:
        return pd.DataFrame(columns=DIFFERENCE_COLUMNS)
    kinds, indicators, variables, froms, tos, a, b = (list(v) for v in zip(*found, strict=True))
    diffs = 100 * (thetas[:, b] - thetas[:, a])  # every contrast in every replicate at once
    se = np.sqrt(design.variance(diffs))
    t, p = t_test(diffs[0], se, df)
    return _frame(kinds, indicators, variables, tos, year, froms, tos, 100 * thetas[0, a], 100 * thetas[0, b],
                  diffs[0], se, df, t, p, np.ones(len(found), dtype=bool))


def peer_comparison_domain(peer: dict | None = None) -> tuple[str, str]:
    """(domain variable, value) the peer group is tested against: all schools of its level, or all
    public schools when the peer group names no single level."""
    level = (est.DEFAULT_PEER if peer is None else peer).get("level")
    return ("level", level) if isinstance(level, str) else ("all", ssocs.ALL_SCHOOLS)


def same_year_differences(frame: pd.DataFrame, estimates: pd.DataFrame, peer: dict | None = None) -> pd.DataFrame:
    """Per year: the peer group against all schools of its level (the peer group is inside it), then
    the subgroup contrasts (city vs rural, high vs low minority, by level); to - from."""
    pieces = []
    present = set(frame["year"].unique())
    variable, value = peer_comparison_domain(peer)
    for year in [y for y in ssocs.YEARS if y in present]:
        pairs = [(variable, value, "peer_group", est.peer_label(year, peer), PEER_KIND)]
        pairs += [(variable, a, variable, b, "subgroup") for variable, a, b in SUBGROUP_CONTRASTS]
        pieces.append(_within_year(frame, estimates, year, peer, pairs))
    pieces = [p for p in pieces if not p.empty]
    out = pd.concat(pieces, ignore_index=True) if pieces else pd.DataFrame(columns=DIFFERENCE_COLUMNS)
    return out.sort_values("kind", key=lambda s: s.map({PEER_KIND: 0, "subgroup": 1}), kind="stable")


def difference_table(frame: pd.DataFrame, estimates: pd.DataFrame, peer: dict | None = None) -> pd.DataFrame:
    """Every tested difference, columns DIFFERENCE_COLUMNS (percentage points; to - from)."""
    pieces = [year_changes(estimates, peer), same_year_differences(frame, estimates, peer)]
    return pd.concat([p for p in pieces if not p.empty], ignore_index=True).reindex(columns=DIFFERENCE_COLUMNS)
