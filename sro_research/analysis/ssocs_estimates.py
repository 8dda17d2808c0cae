"""National SSOCS estimates by domain, peer groups, and checks against NCES's published counts.

Pure: every function takes the harmonized frame from `readers.ssocs.load_ssocs` (or the tables
made from it) and returns tables; nothing here opens a file.

Design: JK1, 50 replicates, scale 49/50, centred on the full-sample estimate (NCES's method; it
reproduces Digest Table 233.70a to the printed decimal). Intervals, as R's `survey` computes them:
  * a percentage with a design variance: Korn-Graubard, `svyciprop(method = "beta")`, with the
    domain's design degrees of freedom (R's degf: replicates - 1 = 49, less if a small domain's
    replicate weights are linearly dependent) and effective sample size p (1 - p) / V;
  * a percentage of exactly 0 or 100%: every sampled school answered alike, so the replicates give
    no variance; Clopper-Pearson from the sampled count instead, and `ci_method` says so;
  * weighted numbers of schools (totals): estimate +/- t(df) * SE.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sro_research.readers import ssocs
from sro_research.stats.intervals import clopper_pearson, effective_n, korn_graubard, t_interval
from sro_research.stats.replicate import ReplicateDesign

# The peer group when none is given: large city high schools, most students from minority groups. A
# district's own is its profile's [peer_group], which the notebook passes in. high_minority is used in years
# that record minority or percent-White enrollment and dropped (and said so) in years that do not.
DEFAULT_PEER = {"level": "High school", "locale": "City", "enrollment_size": "1,000 or more", "high_minority": True}
ESTIMATE_COLUMNS = [
    "year", "indicator", "domain_variable", "domain_value",
    "estimate", "se", "ci_low", "ci_high", "cv", "n", "weighted_n", "flag",
    "ci_method", "df", "deff", "effective_n", "weighted_schools", "weighted_schools_se",
]
KORN_GRAUBARD = "Korn-Graubard"
CLOPPER_PEARSON = "Clopper-Pearson (no design variance: every sampled school answered alike)"


def design(frame: pd.DataFrame, **options) -> ReplicateDesign:
    """The SSOCS replicate design for ONE year's rows: JK1, 50 replicates, scale 0.98, mse."""
    years = frame["year"].unique()
    if len(years) != 1:
        raise ValueError(f"an SSOCS design covers one year; got {list(years)}")
    return ReplicateDesign(frame, ssocs.WEIGHT, ssocs.REPWEIGHTS, type="JK1", mse=True, **options)


def peer_mask(frame: pd.DataFrame, peer: dict | None = None) -> pd.Series:
    """1 for schools in the peer group, 0 outside, NaN where membership is unknown.

    `peer` maps harmonized columns to a label or list of labels; `high_minority: True` is used
    only for years that record minority or percent-White enrollment.
    """
    peer = dict(DEFAULT_PEER if peer is None else peer)
    wants_minority = bool(peer.pop("high_minority", False))
    member = np.ones(len(frame), dtype=bool)
    for column, wanted in peer.items():
        if column not in frame.columns:
            raise KeyError(f"peer-group column {column!r} is not in the SSOCS frame")
        wanted = [wanted] if isinstance(wanted, str) else list(wanted)
        values = frame[column]
        unknown = set(wanted) - set(values.cat.categories if hasattr(values, "cat") else values)
        if unknown:
            raise ValueError(f"peer-group value(s) {sorted(unknown)} are not labels of {column!r}")
        member &= values.isin(wanted).to_numpy(dtype=bool)
    result = member.astype(float)
    if wants_minority:
        records = {y: bool(lay.minority or lay.percent_white) for y, lay in ssocs.LAYOUTS.items()}
        has_minority = frame["year"].astype(str).map(records).to_numpy(dtype=bool)
        high = frame["high_minority"].to_numpy(dtype=float)
        result = np.where(has_minority, result * np.nan_to_num(high, nan=0.0), result)
        result[has_minority & np.isnan(high) & member] = np.nan  # a member but for an unknown minority share
    return pd.Series(result, index=frame.index)


def peer_label(year: str, peer: dict | None = None) -> str:
    """The peer group's definition in plain words, as it applies in `year`."""
    peer = dict(DEFAULT_PEER if peer is None else peer)
    wants_minority = bool(peer.pop("high_minority", False))
    parts = [", ".join(v) if isinstance(v, (list, tuple)) else str(v) for v in peer.values()]
    layout = ssocs.LAYOUTS[year]
    if wants_minority:
        if layout.minority:
            parts.append("50 percent or more minority")
        elif layout.percent_white:
            parts.append("50 percent or less White")
        else:
            parts.append("minority share not in this year's file")
    return "; ".join(parts)


def peer_definition_table(frame: pd.DataFrame, peer: dict | None = None) -> pd.DataFrame:
    """The peer group year by year: its definition, what the year's file can and cannot match, and
    how many sampled schools meet every other criterion but drop out (unknown minority share)."""
    peer = dict(DEFAULT_PEER if peer is None else peer)
    wants_minority = bool(peer.get("high_minority", False))
    rows = []
    for year in ssocs.YEARS:
        schools = frame[frame["year"] == year]
        if schools.empty:
            continue
        layout = ssocs.LAYOUTS[year]
        member = peer_mask(schools, peer)
        other_criteria = peer_mask(schools, {k: v for k, v in peer.items() if k != "high_minority"})
        cannot = []
        if wants_minority and not (layout.minority or layout.percent_white):
            cannot.append("minority share (not in the public file): the group ignores enrollment composition")
        elif wants_minority and not layout.minority:
            cannot.append("percent minority (only percent White is recorded): 'at most half White' is used")
        if layout.locale_labels != ssocs.URBANCENTRIC:
            cannot.append("urban-centric locale (older CCD locale codes: 'city' is defined differently)")
        if layout.level == "FR_LVELX":
            cannot.append("the earlier level variable (FR_LVELX redefines high school as high/secondary)")
        unknown = int(member.isna().sum())
        rows.append({
            "year": year,
            "definition": peer_label(year, peer),
            "cannot_match": "; ".join(cannot) or "nothing: every criterion is recorded",
            "sampled_schools_meeting_other_criteria": int((other_criteria == 1).sum()),
            "in_peer_group": int((member == 1).sum()),
            "dropped_unknown": unknown,
            "why_dropped": (f"minority category coded 'don't know' (-8 in {layout.minority})" if unknown else "none dropped"),
        })
    return pd.DataFrame(rows)


def _as_list(value, valid: dict, label: str) -> list[str]:
    names = list(valid) if value is None else ([value] if isinstance(value, str) else list(value))
    unknown = [v for v in names if v not in valid]
    if unknown:
        raise ValueError(f"unknown {label}(s) {unknown}; valid: {', '.join(valid)}")
    return names


def domain_frame(rows: pd.DataFrame, year: str, peer: dict | None) -> pd.DataFrame:
    """One year's rows with the 'all' and 'peer_group' domain columns added."""
    rows = rows.reset_index(drop=True).assign(all=ssocs.ALL_SCHOOLS)
    member = peer_mask(rows, peer)
    rows["peer_group"] = pd.Series(peer_label(year, peer), index=rows.index).where(member == 1)
    return rows


def year_design(data: pd.DataFrame, year: str, peer: dict | None = None) -> tuple[pd.DataFrame, ReplicateDesign]:
    """One year's domain rows (`domain_frame`) and its design."""
    rows = domain_frame(data[data["year"] == year], year, peer)
    return rows, design(rows)


def _intervals(table: pd.DataFrame) -> pd.DataFrame:
    """Korn-Graubard intervals, or Clopper-Pearson where the design gives no variance (fractions)."""
    p, se, n = table["estimate"].to_numpy(), table["se"].to_numpy(), (table["n"] + table["n_missing"]).to_numpy()
    kg_low, kg_high = korn_graubard(p, se, n, table["df"].to_numpy())
    no_variance = (se == 0) & ((p == 0) | (p == 1))
    cp_low, cp_high = clopper_pearson(np.round(p * table["n"].to_numpy()), table["n"].to_numpy())
    table["ci_low"] = np.where(no_variance, cp_low, kg_low)
    table["ci_high"] = np.where(no_variance, cp_high, kg_high)
    table["ci_method"] = np.where(no_variance, CLOPPER_PEARSON, KORN_GRAUBARD)
    table["effective_n"] = effective_n(p, se**2)
    return table


def estimate_table(years=None, indicators=None, domains=None, *, data: pd.DataFrame, peer=None) -> pd.DataFrame:
    """National estimates (percent of public schools) with jackknife SEs, one row per
    year x indicator x domain value, columns ESTIMATE_COLUMNS.

    indicators: names from ssocs.INDICATORS (default all); a year that does not measure one gives
    no rows for it. domains: names from ssocs.DOMAINS (default all); "all" gives domain_value
    "All public schools", "peer_group" only the schools in the peer group (`peer_mask`).
    estimate, se, ci_low and ci_high are percents (intervals: see the module docstring); cv is a
    fraction; weighted_schools (+ _se) is the estimated number of schools with the characteristic.
    `data` is the frame from readers.ssocs.load_ssocs, read in the notebook's load-inputs cell.
    """
    years = ssocs.check_years(years)
    indicators = _as_list(indicators, ssocs.INDICATORS, "indicator")
    domains = _as_list(domains, ssocs.DOMAINS, "domain")
    present = set(data["year"].unique())

    pieces = []
    for year in years:
        measured = [i for i in indicators if year in ssocs.INDICATOR_YEARS[i]]
        if year not in present or not measured:
            continue
        rows, year_estimator = year_design(data, year, peer)
        recorded = [d for d in domains if rows[d].notna().any()]  # skip what the year does not record
        result = year_estimator.mean(measured, by_each=recorded, with_totals=True)
        result = result.rename(columns={"total": "weighted_schools", "total_se": "weighted_schools_se"})
        result = _intervals(result).rename(columns={"variable": "indicator"})
        result.insert(0, "year", year)
        pieces.append(result)
    if not pieces:
        return pd.DataFrame(columns=ESTIMATE_COLUMNS)
    table = pd.concat(pieces, ignore_index=True)
    table["domain_value"] = table["domain_value"].astype(str)
    for column in ("estimate", "se", "ci_low", "ci_high"):
        table[column] = table[column] * 100
    order = {name: i for i, name in enumerate(ssocs.INDICATORS)}
    domain_order = {d: i for i, d in enumerate(ssocs.DOMAINS)}
    table = table.sort_values(
        ["year", "indicator", "domain_variable"],
        key=lambda s: s.map(order) if s.name == "indicator" else (s.map(domain_order) if s.name == "domain_variable" else s),
        kind="stable",
    )
    return table[ESTIMATE_COLUMNS].reset_index(drop=True)


# NCES's published weighted counts (data/published ssocs_published_tables) and the estimate each checks.
PUBLISHED_COUNTS = {
    "security_staff_schools": ("any_security_staff", "weighted_schools"),
    "sro_schools": ("any_sro", "weighted_schools"),
    "public_schools": (None, "weighted_n"),
}
DOMAIN_OF_GROUP = {
    ssocs.ALL_SCHOOLS: "all", **{v: "level" for v in ssocs.LEVELS}, **{v: "locale" for v in ssocs.LOCALES},
    **{v: "enrollment_size" for v in ssocs.SIZES},
}


def published_count_check(estimates: pd.DataFrame, published: pd.DataFrame) -> pd.DataFrame:
    """Each NCES published count (rounded by NCES to the nearest 100) beside this weighted number of
    schools and its SE, for the years with microdata; `within_rounding` when they agree to NCES's 100."""
    rows = []
    wanted = published[published["measure"].isin(PUBLISHED_COUNTS) & published["school_year"].isin(estimates["year"])]
    for _, figure in wanted.iterrows():
        indicator, column = PUBLISHED_COUNTS[figure["measure"]]
        hit = estimates[(estimates["year"] == figure["school_year"]) & (estimates["domain_value"] == figure["group"])
                        & (estimates["domain_variable"] == DOMAIN_OF_GROUP.get(figure["group"]))]
        hit = hit[hit["indicator"] == (indicator or "any_security_staff")]
        if hit.empty:
            continue
        got = hit.iloc[0]
        value = float(got[column])
        se = float(got["weighted_schools_se"]) if column == "weighted_schools" else np.nan
        low, high = t_interval(value, se, got["df"])  # a total: t with the design's df
        rows.append({
            "year": figure["school_year"], "measure": figure["measure"], "group": figure["group"],
            "published": figure["value_text"], "estimate": value, "se": se, "ci_low": float(low), "ci_high": float(high),
            "difference": value - float(figure["value"]),
            "within_rounding": abs(round(value, -2) - float(figure["value"])) < 0.5,
            "figure_id": figure["figure_id"], "source_id": figure["source_id"],
        })
    return pd.DataFrame(rows)
