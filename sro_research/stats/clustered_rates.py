"""Event rates by group when events repeat and cluster in units (students' incident involvements in schools).

An incident export counts a student once per incident, and involvements bunch in schools (one school's
practice, one officer), so counts are not independent Poisson draws and exact Poisson intervals are
too narrow. Here each group's rate comes from a Poisson working model with one log-rate per group and
log exposure as offset, fitted on one row per cluster and group; its covariance is the cluster-robust
(sandwich) one, clusters = schools, with the small-sample factor G/(G-1)·(N-1)/(N-K) (statsmodels'
`cov_type="cluster"`, R's `sandwich::vcovCL(type = "HC1")`). Point estimates equal the pooled rates.

- rate per 100 and its ratio to a reference group and to all other groups together (log scale), and
  the rate difference (delta method), all from the one covariance;
- dispersion: Pearson chi-square / df of the model (quasi-Poisson phi; 1 when counts are Poisson), and
  each group's own phi across clusters, which the method notes show;
- zero counts: one rule (Haldane–Anscombe): when a group's or the reference's count is 0, the ratio
  and its interval use 0.5 added to each of the two counts, with the Poisson variance multiplied by
  the model's phi (at least 1), so the interval is never of zero width and still allows for clustering.

Pure function of counts: nothing here reads a file or hides small counts.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import statsmodels.api as sm

from sro_research.stats.disproportionality import HALDANE, LEVEL, PER, rate, z_score

METHOD = ("Poisson working model with school-clustered robust (sandwich) standard errors; "
          "0.5 added to both counts of a ratio with a zero count (Haldane–Anscombe)")


def fit(frame: pd.DataFrame, group: str, count: str, exposure: str, cluster: str):
    """The Poisson model with one log-rate per group (groups with a count of 0 left out), cluster-robust."""
    rows = frame[frame[exposure] > 0]
    totals = rows.groupby(group)[count].sum()
    rows = rows[rows[group].isin(totals.index[totals > 0])]
    design = pd.get_dummies(rows[group]).astype(float)
    model = sm.GLM(rows[count].astype(float), design, family=sm.families.Poisson(),
                   offset=np.log(rows[exposure].astype(float)))
    clusters = pd.factorize(rows[cluster])[0]
    return model.fit(cov_type="cluster", cov_kwds={"groups": clusters}), rows


def pearson_dispersion(frame: pd.DataFrame, count: str, exposure: str) -> float:
    """Pearson chi-square / (rows - 1) of counts around one pooled rate (a group's phi across clusters)."""
    rows = frame[frame[exposure] > 0]
    if len(rows) < 2 or rows[count].sum() == 0:
        return math.nan
    expected = rows[exposure] * rows[count].sum() / rows[exposure].sum()
    return float((((rows[count] - expected) ** 2) / expected).sum() / (len(rows) - 1))


def clustered_rate_measures(frame: pd.DataFrame, group: str, count: str, exposure: str, cluster: str,
                            reference: str, level: float = LEVEL) -> pd.DataFrame:
    """Per group: count, exposure, rate per 100 (risk*), ratio and difference to `reference` (rr/rd_reference*),
    ratio to all other groups (rr_others*), the group's dispersion `phi`; the model's phi in `attrs["phi"]`.

    `frame` has one row per cluster and group. Column names match stats.disproportionality's, so reports
    treat both alike.
    """
    if reference not in set(frame[group]):
        raise ValueError(f"reference group {reference!r} is not among the groups of column {group!r}")
    z = z_score(level)
    result, used = fit(frame, group, count, exposure, cluster)
    names = list(result.params.index)
    beta, cov = result.params.to_numpy(), result.cov_params().to_numpy()
    phi = float(result.pearson_chi2 / result.df_resid) if result.df_resid > 0 else math.nan
    inflate = max(phi, 1.0) if np.isfinite(phi) else 1.0
    totals = frame.groupby(group, sort=False)[[count, exposure]].sum()
    ref_count, ref_exposure = totals.loc[reference]
    rows = []
    for g, (a, t) in totals.iterrows():
        out = {group: g, count: a, exposure: t, "phi": pearson_dispersion(frame[frame[group] == g], count, exposure)}
        if g in names:
            i = names.index(g)
            se = math.sqrt(cov[i, i])
            out.update(risk=PER * math.exp(beta[i]), risk_low=PER * math.exp(beta[i] - z * se),
                       risk_high=PER * math.exp(beta[i] + z * se))
        else:  # no event: the exact Poisson interval, which is not of zero width
            out["risk"], out["risk_low"], out["risk_high"] = rate(a, t, level)
        if g == reference:
            out.update({f"{m}{s}": math.nan for m in ("rr_reference", "rd_reference") for s in ("", "_low", "_high")})
        elif g in names and reference in names:
            i, r = names.index(g), names.index(reference)
            gradient = np.zeros(len(names))
            gradient[i], gradient[r] = 1.0, -1.0
            out.update(_log_ratio(beta[i] - beta[r], gradient @ cov @ gradient, z, "rr_reference"))
            gradient = np.zeros(len(names))
            gradient[i], gradient[r] = math.exp(beta[i]), -math.exp(beta[r])
            diff = math.exp(beta[i]) - math.exp(beta[r])
            half = z * math.sqrt(gradient @ cov @ gradient)
            out.update(rd_reference=PER * diff, rd_reference_low=PER * (diff - half), rd_reference_high=PER * (diff + half))
        else:
            out.update(_haldane(a, t, ref_count, ref_exposure, inflate, z, "rr_reference"))
            out.update(_difference_with_zero(a, t, ref_count, ref_exposure, inflate, z))
        out.update(_versus_others(g, totals, names, beta, cov, inflate, z, count, exposure))
        rows.append(out)
    measures = pd.DataFrame(rows)
    measures.attrs.update(phi=phi, clusters=int(used[cluster].nunique()), method=METHOD)
    return measures


def _log_ratio(log_ratio: float, variance: float, z: float, stem: str) -> dict:
    half = z * math.sqrt(variance)
    return {stem: math.exp(log_ratio), f"{stem}_low": math.exp(log_ratio - half), f"{stem}_high": math.exp(log_ratio + half)}


def _haldane(a: float, t1: float, c: float, t2: float, inflate: float, z: float, stem: str) -> dict:
    """Ratio of a/t1 to c/t2 with 0.5 added to both counts; Poisson variance times the dispersion.
    No ratio (NaN) when a group has no exposure or both counts are 0."""
    if min(t1, t2) <= 0 or (a == 0 and c == 0):
        return {stem: math.nan, f"{stem}_low": math.nan, f"{stem}_high": math.nan}
    a, c = a + HALDANE, c + HALDANE
    return _log_ratio(math.log((a / t1) / (c / t2)), inflate * (1 / a + 1 / c), z, stem)


def _difference_with_zero(a: float, t1: float, c: float, t2: float, inflate: float, z: float) -> dict:
    if min(t1, t2) <= 0:
        return {"rd_reference": math.nan, "rd_reference_low": math.nan, "rd_reference_high": math.nan}
    diff = a / t1 - c / t2
    half = z * math.sqrt(inflate * ((a + HALDANE) / t1**2 + (c + HALDANE) / t2**2))
    return {"rd_reference": PER * diff, "rd_reference_low": PER * (diff - half), "rd_reference_high": PER * (diff + half)}


def _versus_others(g, totals: pd.DataFrame, names: list, beta, cov, inflate: float, z: float, count: str,
                   exposure: str) -> dict:
    """Ratio of the group's rate to the pooled rate of every other group (delta method on the log scale)."""
    others = totals.drop(index=g)
    a, t = totals.loc[g]
    c, t2 = others[count].sum(), others[exposure].sum()
    if g not in names or c == 0:
        return _haldane(a, t, c, t2, inflate, z, "rr_others")
    rate_others = c / t2
    gradient = np.zeros(len(names))
    gradient[names.index(g)] = 1.0
    for h in others.index:
        if h in names:  # d log(pooled others) / d beta_h = share of the others' expected events in h
            gradient[names.index(h)] = -(math.exp(beta[names.index(h)]) * others.loc[h, exposure] / t2) / rate_others
    return _log_ratio(math.log((a / t) / rate_others), gradient @ cov @ gradient, z, "rr_others")
